package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.cli.ConvergeCli;
import io.converge.storage.ConvergeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runaway query on a server with a small heap (a child JVM with {@code -Xmx256m}, the default
 * collector and the default {@code --query-heap-limit}) becomes a "query exceeded the memory
 * limit" error for that client instead of an OutOfMemoryError, and the server answers the next
 * query.
 *
 * <p>The runaway query sorts the cross join of {@value #ROWS} documents with themselves: 400
 * million rows of two strings each, far beyond 256 MB, all held by Calcite's sort before the
 * first row comes out.
 */
@Tag("slow")
class QueryMemoryLimitTest {
  static final int ROWS = 20_000;
  private static final Pattern URL = Pattern.compile("JDBC URL:\\s+(\\S+)");

  @TempDir
  Path dir;
  private Process server;

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null && server.isAlive()) {
      server.destroyForcibly();
      server.waitFor(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRunawaySortIsStoppedWithAClearErrorAndTheServerKeepsServing() throws Exception {
    Path data = dir.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      List<Map<String, Object>> docs = new ArrayList<>(ROWS);
      for (int i = 0; i < ROWS; i++) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("_id", "w" + i);
        d.put("n", (long) i);
        d.put("s", "value-" + i + "-" + "x".repeat(i % 40));
        docs.add(d);
      }
      TestData.upsert(store.getOrCreate("wide"), docs);
    }
    Path log = dir.resolve("server.log");
    String url = startServer(data, log);
    Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rs = s.executeQuery(
            "select a.s, b.s from wide a, wide b order by a.s || b.s desc")) {
          rs.next();
        }
      }, "the runaway query returned rows");
      String m = messages(e);
      assertTrue(m.contains("query exceeded the memory limit"), m + "\nserver log:\n"
          + Files.readString(log));
      assertTrue(server.isAlive(), "server died:\n" + Files.readString(log));
      // the same connection, then a new one, still get answers
      try (ResultSet rs = s.executeQuery("select count(*) from wide")) {
        assertTrue(rs.next());
        assertEquals(ROWS, rs.getLong(1));
      }
    }
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from wide where n < 100")) {
      assertTrue(rs.next());
      assertEquals(100, rs.getLong(1));
    }
    String text = Files.readString(log);
    assertTrue(!text.contains("OutOfMemoryError"), text);
  }

  private String startServer(Path data, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), "io.converge.server.cli.ConvergeCli", "server",
        "--data-dir", data.toString(), "--port", "0"));
    var serverCommand = ConvergeCli.commandLine().getSubcommands().get("server").getCommandSpec();
    if (serverCommand.findOption("--no-auth") != null) {
      cmd.add("--no-auth");
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    server = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Matcher m = URL.matcher(Files.readString(log));
      if (m.find()) {
        return m.group(1);
      }
      if (!server.isAlive()) {
        throw new AssertionError("server exited:\n" + Files.readString(log));
      }
      Thread.sleep(50);
    }
    throw new AssertionError("server did not start:\n" + Files.readString(log));
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      b.append(c.getMessage()).append(" | ");
    }
    return b.toString();
  }
}
