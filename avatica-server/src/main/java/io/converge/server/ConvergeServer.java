package io.converge.server;

import io.converge.adapter.ConvergeJdbc;
import io.converge.server.admin.ServerFile;
import io.converge.server.admin.StatementControlHandler;
import io.converge.server.auth.AuthorizingService;
import io.converge.server.auth.BasicAuthHandler;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.http.ApiHandler;
import io.converge.server.metrics.MetricsHandler;
import io.converge.server.metrics.QueryMetrics;
import io.converge.storage.ConvergeStore;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.remote.Driver;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.server.HttpServer;
import org.apache.calcite.avatica.server.ServerCustomizer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.HandlerList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one Converge data directory over Avatica's HTTP protocol, and on the same port the HTTP
 * write API ({@code /v1/collections/...}, see {@link ApiHandler}) and the process's Prometheus
 * metrics ({@code GET /metrics}, see {@link MetricsHandler}).
 *
 * <p>The server holds the process-wide shared {@link ConvergeStore} of the directory for its whole
 * lifetime, so every Calcite connection that Avatica's {@link JdbcMeta} opens (one per client
 * connection, from {@link ConvergeJdbc#url(Path)}) finds it open. Errors raised while preparing or
 * running a statement go back to that client as an Avatica error response carrying Calcite's
 * message; the server keeps running.
 */
public final class ConvergeServer {
  private static final Logger LOG = LoggerFactory.getLogger(ConvergeServer.class);

  /** Idle client connections are closed after this long (JdbcMeta's default is 10 minutes). */
  static final String CONNECTION_EXPIRY_MINUTES = "60";
  /** Statements (and the snapshots their open results hold) expire after this long idle. */
  static final String STATEMENT_EXPIRY_MINUTES = "15";

  private final ServerOptions options;
  private final ServerSecurity security;
  private final ServerBackend backend;
  private final ConvergeMeta meta;
  private final HttpServer http;
  private final int port;
  private final String jdbcUrl;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile ServerFile serverFile;
  private final Server jetty;

  private ConvergeServer(ServerOptions options, ServerSecurity security, ServerBackend backend,
      ConvergeMeta meta, HttpServer http, Server jetty) {
    this.jetty = jetty;
    this.options = options;
    this.security = security;
    this.backend = backend;
    this.meta = meta;
    this.http = http;
    this.port = http.getPort();
    this.jdbcUrl = "jdbc:avatica:remote:url=http://" + urlHost(options.host()) + ":" + port
        + ";serialization=" + options.serialization();
  }

  /** The collections and their schema versions: a cached plan is valid while this is equal. */
  static Object catalogStamp(ConvergeStore store) {
    // The generation changes with every CREATE / DROP TABLE: a DDL statement runs when it is
    // prepared, so its cached statement must never be found again after the catalog changed.
    StringBuilder b = new StringBuilder().append(store.catalogGeneration()).append('|');
    for (String name : store.collectionNames()) {
      io.converge.storage.ConvergeCollection c = store.collection(name);
      if (c != null) {
        b.append(name).append('@').append(System.identityHashCode(c)).append(':')
            .append(c.schema().version()).append(';');
      }
    }
    return b.toString();
  }

  /**
   * Starts a server without authentication (demo, embedded use, tests): anyone who reaches the
   * port may read and write. See {@link #start(ServerOptions, ServerSecurity)}.
   */
  public static ConvergeServer start(ServerOptions options) {
    return start(options, ServerSecurity.none());
  }

  /**
   * Opens (or shares) the data directory and starts listening. Throws
   * {@link io.converge.storage.StoreException} when the directory cannot be opened (for example
   * held by another process) and {@link IllegalStateException} when the address cannot be bound.
   *
   * <p>With {@link ServerSecurity#users} every request needs HTTP BASIC credentials of a user of
   * the users file (see {@link BasicAuthHandler}), and read-only users may run queries only (see
   * {@link AuthorizingService}). While it runs, the server advertises its URL in the data
   * directory's {@link ServerFile} (for {@code converge backup}).
   */
  public static ConvergeServer start(ServerOptions options, ServerSecurity security) {
    Path dataDir = options.dataDir().toAbsolutePath().normalize();
    LocalStoreBackend backend = LocalStoreBackend.open(dataDir);
    try {
      return start(options, security, backend);
    } catch (RuntimeException | Error e) {
      backend.releaseStore();
      throw e;
    }
  }

  /**
   * Starts serving {@code backend}: Avatica's SQL over its Calcite URL, the HTTP API over its
   * {@link ServerBackend#documents()} and its own handlers, all on one port behind the same
   * authentication. The server owns the backend from then on and closes it in {@link #stop()};
   * when starting fails the caller still owns it.
   */
  /**
   * System property: when {@code true}, plain queries share plans only with the same text (each
   * new literal is planned), as before queries were shaped.
   */
  public static final String PLANS_BY_TEXT_ONLY = "converge.plans.byTextOnly";

  public static ConvergeServer start(ServerOptions options, ServerSecurity security,
      ServerBackend backend) {
    Path dataDir = backend.dataDirectory() != null ? backend.dataDirectory()
        : options.dataDir().toAbsolutePath().normalize();
    ServerOptions resolved = new ServerOptions(dataDir, options.host(), options.port(),
        options.serialization(), options.maxRequestBytes()).withQueryLimits(options.queryLimits());
    ConvergeMeta meta = null;
    try {
      meta = new ConvergeMeta(backend.calciteUrl(), cacheSettings());
      meta.cachePlans(backend::catalogStamp, backend.sharesPlansAcrossLiterals()
          && !Boolean.getBoolean(PLANS_BY_TEXT_ONLY));
      resolved.queryLimits().applyTo(meta);
      java.util.concurrent.atomic.AtomicReference<Server> jetty =
          new java.util.concurrent.atomic.AtomicReference<>();
      LocalService service = security.enabled() ? new AuthorizingService(meta)
          : new LocalService(meta);
      List<Handler> handlers = new ArrayList<>();
      handlers.add(new MetricsHandler());
      handlers.add(new StatementControlHandler(meta));
      handlers.addAll(backend.handlers(security.enabled()));
      handlers.add(new ApiHandler(backend.documents(), resolved.maxRequestBytes(),
          options.documentLimits()));
      HttpServer http = HttpServer.Builder.<Server>newBuilder()
          .withHandler(new ClientErrorService(serialization(resolved.serialization())
              == Driver.Serialization.PROTOBUF ? new ScalarFrameService(service) : service,
              QueryMetrics.of(backend.role())), serialization(resolved.serialization()))
          .withPort(resolved.port())
          .withServerCustomizers(List.of(bindTo(resolved.host()), jetty::set,
              serveApi(handlers, security)), Server.class)
          .build();
      try {
        http.start();
      } catch (RuntimeException e) {
        http.stop();
        throw new IllegalStateException("cannot listen on " + resolved.host() + ":"
            + resolved.port() + ": " + rootMessage(e), e);
      }
      ConvergeServer server = new ConvergeServer(resolved, security, backend, meta, http,
          jetty.get());
      if (backend.dataDirectory() != null) {
        server.advertise();
      }
      LOG.info("Converge server serving {} at {} ({})", backend.describe(), server.jdbcUrl(),
          security);
      return server;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the Avatica service: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      if (meta != null) {
        meta.closeAll();
      }
      throw e;
    }
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return port;
  }

  /** The Avatica remote-driver URL clients connect with. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public ServerOptions options() {
    return options;
  }

  /** How clients are authenticated. */
  public ServerSecurity security() {
    return security;
  }

  /**
   * The local address of the listening socket ({@code 127.0.0.1} unless the options say
   * otherwise), read from the socket itself.
   */
  public java.net.InetSocketAddress boundAddress() {
    for (Connector c : jetty.getConnectors()) {
      if (c instanceof ServerConnector sc
          && sc.getTransport() instanceof java.nio.channels.ServerSocketChannel ch) {
        try {
          return (java.net.InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException("no listening connector");
  }

  /** The base URL of the server, for example {@code http://127.0.0.1:8765}. */
  public String baseUrl() {
    return "http://" + urlHost(options.host()) + ":" + port;
  }

  /** Writes the data directory's {@link ServerFile}; a failure is logged, not fatal. */
  private void advertise() {
    ServerFile f = new ServerFile(baseUrl(), options.dataDir().toString(), security.enabled(),
        ProcessHandle.current().pid());
    try {
      f.write(options.dataDir());
      serverFile = f;
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot write {} in {} ('converge backup' will not find this server): {}",
          ServerFile.NAME, options.dataDir(), e.toString());
    }
  }

  /**
   * The shared store this server holds.
   *
   * @throws IllegalStateException when the server serves another backend than a data directory
   */
  public ConvergeStore store() {
    if (backend instanceof LocalStoreBackend local) {
      return local.store();
    }
    throw new IllegalStateException("this server serves " + backend.describe()
        + ", not a data directory");
  }

  /** What this server serves. */
  public ServerBackend backend() {
    return backend;
  }

  /** The Avatica meta behind the server (frame counts, for tests and diagnostics). */
  public ConvergeMeta meta() {
    return meta;
  }

  /**
   * Stops listening, closes client connections and closes the backend: for a data directory it
   * releases the store, including the adapter's reference to it (Calcite connections do not
   * release it themselves), so that the directory can be reopened, by this process or another,
   * once the server is stopped. Embedded connections of this process on the same directory must
   * not be used afterwards. Idempotent.
   */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    try {
      ServerFile f = serverFile;
      if (f != null) {
        try {
          f.removeFrom(options.dataDir());
        } catch (IOException | RuntimeException e) {
          LOG.warn("cannot remove {} from {}: {}", ServerFile.NAME, options.dataDir(), e.toString());
        }
      }
      http.stop();
    } finally {
      try {
        meta.closeAll();
      } finally {
        backend.close();
        LOG.info("Converge server on port {} stopped", port);
      }
    }
  }

  /**
   * Plans and runs one small query through a fresh Calcite connection so that the first client
   * query does not pay for loading and compiling Calcite's planner and code generator (seconds on
   * a small machine). Returns the time it took in milliseconds; failures are logged, not thrown.
   */
  public long warmUp() {
    long t0 = System.nanoTime();
    List<String> names = backend instanceof LocalStoreBackend local
        ? local.store().collectionNames() : List.of();
    String sql = names.isEmpty() ? "values 1"
        : "select count(*) from \"" + names.get(0).replace("\"", "\"\"") + "\"";
    try (Connection c = DriverManager.getConnection(backend.calciteUrl());
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rs.getObject(1);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("warm-up query failed ({}): {}", sql, e.getMessage());
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    LOG.info("SQL engine warmed up in {} ms", ms);
    return ms;
  }

  /** Blocks until the server stops. */
  public void join() {
    try {
      http.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Properties cacheSettings() {
    Properties p = new Properties();
    p.setProperty(JdbcMeta.ConnectionCacheSettings.EXPIRY_DURATION.key(),
        CONNECTION_EXPIRY_MINUTES);
    p.setProperty(JdbcMeta.ConnectionCacheSettings.EXPIRY_UNIT.key(), "MINUTES");
    p.setProperty(JdbcMeta.StatementCacheSettings.EXPIRY_DURATION.key(),
        STATEMENT_EXPIRY_MINUTES);
    p.setProperty(JdbcMeta.StatementCacheSettings.EXPIRY_UNIT.key(), "MINUTES");
    return p;
  }

  private static Driver.Serialization serialization(String name) {
    return ServerOptions.JSON.equals(name) ? Driver.Serialization.JSON
        : Driver.Serialization.PROTOBUF;
  }

  /** HttpServer.Builder has no host option: set it on Jetty's connector before start. */
  private static ServerCustomizer<Server> bindTo(String host) {
    return server -> {
      for (Connector c : server.getConnectors()) {
        if (c instanceof ServerConnector sc) {
          sc.setHost(host);
        }
      }
    };
  }

  /**
   * Puts the statement control endpoint ({@code /v1/statements/...}: cancel and timeouts for
   * Converge's JDBC driver), the admin API ({@code /v1/admin/...}) and the HTTP API
   * ({@code /v1/...}) in front of Avatica's handlers on the same connector: each marks its own
   * requests handled and lets every other one through. With authentication,
   * {@link BasicAuthHandler} wraps them all.
   */
  private static ServerCustomizer<Server> serveApi(List<Handler> handlers,
      ServerSecurity security) {
    return server -> {
      List<Handler> chain = new ArrayList<>(handlers);
      chain.add(server.getHandler());
      HandlerList all = new HandlerList(chain.toArray(new Handler[0]));
      if (security.enabled()) {
        BasicAuthHandler auth = new BasicAuthHandler(security.users());
        auth.setHandler(all);
        server.setHandler(auth);
      } else {
        server.setHandler(all);
      }
    };
  }

  /** The base URL of the HTTP API, for example {@code http://127.0.0.1:8765/v1}. */
  public String apiUrl() {
    return "http://" + urlHost(options.host()) + ":" + port + "/v1";
  }

  private static String urlHost(String host) {
    if (host.equals("0.0.0.0")) {
      return "127.0.0.1";
    }
    if (host.equals("::") || host.equals("[::]")) {
      return "[::1]";
    }
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }
}
