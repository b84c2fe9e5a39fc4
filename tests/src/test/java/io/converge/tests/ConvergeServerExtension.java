package io.converge.tests;

import io.converge.server.ConvergeServer;
import io.converge.storage.ConvergeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shared fixture: a temporary data directory holding {@link TestData} (plus whatever a test class
 * adds), a real {@link ConvergeServer} on 127.0.0.1 with a free port, and connections through
 * the Avatica remote driver. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final ConvergeServerExtension SERVER =
 *     ConvergeServerExtension.withTestData();}</pre>
 *
 * Everything is stopped and the directory deleted after the class.
 */
public final class ConvergeServerExtension implements BeforeAllCallback, AfterAllCallback {
  public static final String REMOTE_DRIVER = "org.apache.calcite.avatica.remote.Driver";

  private final List<Consumer<ConvergeStore>> writers = new ArrayList<>();
  private final List<Connection> opened = new ArrayList<>();
  private Path dataDir;
  private ConvergeServer server;
  /** The class that registered the extension; @Nested classes inherit it and must not restart. */
  private Class<?> owner;

  private ConvergeServerExtension() {}

  /** A server over the standard test data set. */
  public static ConvergeServerExtension withTestData() {
    return new ConvergeServerExtension().and(TestData::write);
  }

  /** Adds more data, written into the directory before the server starts. */
  public ConvergeServerExtension and(Consumer<ConvergeStore> writer) {
    writers.add(writer);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (owner != null) {
      return;
    }
    owner = context.getRequiredTestClass();
    Class.forName(REMOTE_DRIVER);
    dataDir = Files.createTempDirectory("converge-e2e-");
    try (ConvergeStore store = ConvergeStore.open(dataDir)) {
      for (Consumer<ConvergeStore> w : writers) {
        w.accept(store);
      }
    }
    server = Servers.start(dataDir);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (context.getRequiredTestClass() != owner) {
      return;
    }
    owner = null;
    synchronized (opened) {
      for (Connection c : opened) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // the server may already have dropped it
        }
      }
      opened.clear();
    }
    try {
      if (server != null) {
        server.stop();
      }
    } finally {
      server = null;
      deleteRecursively(dataDir);
    }
  }

  public ConvergeServer server() {
    return server;
  }

  public Path dataDir() {
    return dataDir;
  }

  public String jdbcUrl() {
    return server.jdbcUrl();
  }

  /** A new remote connection, closed after the class if the test did not close it. */
  public Connection connect() throws SQLException {
    return connect(new Properties());
  }

  public Connection connect(Properties info) throws SQLException {
    Connection c = DriverManager.getConnection(server.jdbcUrl(), info);
    synchronized (opened) {
      opened.add(c);
    }
    return c;
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
