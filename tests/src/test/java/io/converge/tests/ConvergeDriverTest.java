package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.auth.Role;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.auth.UserFile;
import io.converge.storage.ConvergeStore;
import io.converge.storage.guard.QueryRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Converge's JDBC driver ({@code jdbc:converge:remote:}) against a real server:
 * {@code Statement.setQueryTimeout} and {@code Statement.cancel()} reach the server and stop the
 * long cross join of {@link QueryTimeoutTest} (a timeout as {@link SQLTimeoutException} with
 * {@code HYT00}, a cancel with {@code 57014}); the connection and the statement answer the next
 * query; a user cannot cancel another user's statement; Avatica's own driver works as before.
 * Times are bounded generously (60 s), never measured.
 */
class ConvergeDriverTest {
  static final String DRIVER = "io.converge.jdbc.ConvergeDriver";
  static final long MAX_SECONDS = 60;

  @RegisterExtension
  static final ConvergeServerExtension SERVER =
      ConvergeServerExtension.withTestData().and(QueryTimeoutTest::writeBig);

  static String convergeUrl(ConvergeServer server) {
    return server.jdbcUrl().replace("jdbc:avatica:remote:", "jdbc:converge:remote:");
  }

  static Connection converge() throws Exception {
    Class.forName(DRIVER);
    return DriverManager.getConnection(convergeUrl(SERVER.server()));
  }

  static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  /** Runs the long query on {@code s}; the exception it ends with, within the bound. */
  static SQLException longQueryFails(Statement s) {
    long t0 = System.nanoTime();
    SQLException e = assertThrows(SQLException.class, () -> {
      try (ResultSet rs = s.executeQuery(QueryTimeoutTest.LONG_QUERY)) {
        rs.next();
      }
    });
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(MAX_SECONDS),
        "the long query was not stopped within " + MAX_SECONDS + " s");
    return e;
  }

  static SQLException longPreparedQueryFails(PreparedStatement ps) {
    long t0 = System.nanoTime();
    SQLException e = assertThrows(SQLException.class, () -> {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
      }
    });
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(MAX_SECONDS),
        "the long query was not stopped within " + MAX_SECONDS + " s");
    return e;
  }

  /** Waits until some query of this JVM has a Converge scan open (the long query started). */
  static void waitUntilRunning() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
    while (QueryRegistry.global().running().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the long query never started");
      }
      Thread.sleep(10);
    }
    Thread.sleep(200);
  }

  /** Cancels {@code s} from another thread once the long query runs. */
  static CompletableFuture<Void> cancelWhenRunning(Statement s) {
    return CompletableFuture.runAsync(() -> {
      try {
        waitUntilRunning();
        s.cancel();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Waits until the server has no execution or fetch under way (the canceled one ended). */
  static void waitUntilIdle(ConvergeServer server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
    while (server.meta().runningStatements() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, server.meta().runningStatements());
  }

  @Test
  void theDriverTakesConvergeUrlsAndLeavesAvaticaUrlsToAvatica() throws Exception {
    Class.forName(DRIVER);
    assertEquals(DRIVER, DriverManager.getDriver(convergeUrl(SERVER.server())).getClass().getName());
    assertEquals(ConvergeServerExtension.REMOTE_DRIVER,
        DriverManager.getDriver(SERVER.jdbcUrl()).getClass().getName());
    try (Connection c = converge()) {
      assertEquals("Converge JDBC Driver", c.getMetaData().getDriverName());
    }
  }

  @Test
  void setQueryTimeoutStopsALongQueryWithSQLTimeoutException() throws Exception {
    try (Connection c = converge(); Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      SQLException e = longQueryFails(s);
      assertInstanceOf(SQLTimeoutException.class, e);
      assertEquals("HYT00", e.getSQLState());
      assertTrue(e.getMessage().contains("query timed out"), e.getMessage());
      // the same statement answers the next query, with the timeout and without it
      assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
      s.setQueryTimeout(0);
      assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
    }
  }

  @Test
  void aTimeoutAlsoStopsTheFetchesOfALongResult() throws Exception {
    try (Connection c = converge(); Statement s = c.createStatement()) {
      s.setQueryTimeout(3);
      long t0 = System.nanoTime();
      long[] rows = {0};
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rs = s.executeQuery(
            "select a.n, b.n from big a, big b where a.tag <> b.tag")) {
          while (rs.next()) {
            rows[0]++;
          }
        }
      });
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(MAX_SECONDS));
      // the first frame arrived; a later fetch ended in the timeout
      assertTrue(rows[0] > 0, "no row before the timeout: " + e);
      assertInstanceOf(SQLTimeoutException.class, e);
      assertEquals("HYT00", e.getSQLState());
      waitUntilIdle(SERVER.server());
      assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
    }
  }

  @Test
  void setQueryTimeoutOfAPreparedStatementStopsItsExecution() throws Exception {
    try (Connection c = converge();
        PreparedStatement ps = c.prepareStatement(QueryTimeoutTest.LONG_QUERY)) {
      ps.setQueryTimeout(1);
      SQLException e = longPreparedQueryFails(ps);
      assertInstanceOf(SQLTimeoutException.class, e);
      assertEquals("HYT00", e.getSQLState());
      try (Statement s = c.createStatement()) {
        assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
      }
    }
  }

  @Test
  void aTimeoutOfOneStatementDoesNotApplyToAnother() throws Exception {
    try (Connection c = converge(); Statement limited = c.createStatement();
        Statement other = c.createStatement()) {
      limited.setQueryTimeout(1);
      assertEquals(QueryTimeoutTest.ROWS, count(limited, "select count(*) from big"));
      // the other statement has no timeout: it must be canceled to end
      CompletableFuture<Void> canceller = cancelWhenRunning(other);
      SQLException e = longQueryFails(other);
      canceller.get(MAX_SECONDS, TimeUnit.SECONDS);
      assertEquals("57014", e.getSQLState(), e.getMessage());
    }
  }

  @Test
  void cancelFromAnotherThreadStopsALongQueryAndTheStatementStaysUsable() throws Exception {
    try (Connection c = converge(); Statement s = c.createStatement()) {
      CompletableFuture<Void> canceller = cancelWhenRunning(s);
      SQLException e = longQueryFails(s);
      canceller.get(MAX_SECONDS, TimeUnit.SECONDS);
      assertFalse(e instanceof SQLTimeoutException, e.toString());
      assertEquals("57014", e.getSQLState(), e.getMessage());
      assertTrue(e.getMessage().contains("query canceled"), e.getMessage());
      waitUntilIdle(SERVER.server());
      assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
      // and a second long query on the same statement can be canceled again
      CompletableFuture<Void> again = cancelWhenRunning(s);
      assertEquals("57014", longQueryFails(s).getSQLState());
      again.get(MAX_SECONDS, TimeUnit.SECONDS);
      waitUntilIdle(SERVER.server());
      assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
    }
  }

  @Test
  void cancelOfAPreparedStatementStopsItsExecution() throws Exception {
    try (Connection c = converge();
        PreparedStatement ps = c.prepareStatement(QueryTimeoutTest.LONG_QUERY)) {
      CompletableFuture<Void> canceller = cancelWhenRunning(ps);
      SQLException e = longPreparedQueryFails(ps);
      canceller.get(MAX_SECONDS, TimeUnit.SECONDS);
      assertEquals("57014", e.getSQLState(), e.getMessage());
      waitUntilIdle(SERVER.server());
      try (Statement s = c.createStatement()) {
        assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
      }
    }
  }

  @Test
  void cancelStopsReadingAnOpenResult() throws Exception {
    try (Connection c = converge(); Statement s = c.createStatement()) {
      s.setFetchSize(100);
      try (ResultSet rs = s.executeQuery("select n from big")) {
        assertTrue(rs.next());
        s.cancel();
        SQLException e = assertThrows(SQLException.class, () -> {
          while (rs.next()) {
            rs.getLong(1);
          }
        });
        assertEquals("57014", e.getSQLState(), e.getMessage());
      }
      assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
    }
  }

  @Test
  void avaticasOwnDriverWorksAsBefore() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
      s.setQueryTimeout(1); // kept by Avatica's client, never sent
      assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
    }
  }

  /** The endpoint itself, without authentication: unknown ids get 404, wrong methods 405. */
  @Test
  void theEndpointAnswers404ForUnknownIdsAnd405ForWrongMethods() throws Exception {
    String base = SERVER.server().baseUrl() + "/v1/statements/";
    assertEquals(404, Http.post(base + "no-such-connection/1/cancel", null).statusCode());
    try (Connection c = converge(); Statement s = c.createStatement()) {
      String id = c.unwrap(AvaticaConnection.class).id;
      int statement = s.unwrap(AvaticaStatement.class).handle.id;
      HttpResponse<String> r = Http.post(base + id + "/" + statement + "/cancel", null);
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("\"running\":false"), r.body());
      assertEquals(404, Http.post(base + id + "/999999/cancel", null).statusCode());
      assertEquals(405, Http.send("GET", base + id + "/" + statement + "/cancel", null, null)
          .statusCode());
      assertEquals(400, Http.send("PUT", base + id + "/" + statement + "/timeout", null,
          "{\"seconds\": -1}").statusCode());
      assertEquals(200, Http.send("PUT", base + id + "/" + statement + "/timeout", null,
          "{\"seconds\": 5}").statusCode());
      // the canceled idle statement runs its next query
      assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
    }
  }

  /** A server with users: each may cancel only statements of connections it opened. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class WithAuthentication {
    static final String ANN = "ann-password-1";
    static final String BOB = "bob-password-2";
    static final String ROOT = "root-password-3";
    Path dir;
    ConvergeServer server;

    @BeforeAll
    void start() throws Exception {
      dir = Files.createTempDirectory("converge-driver-auth-");
      Path data = dir.resolve("data");
      try (ConvergeStore store = ConvergeStore.open(data)) {
        QueryTimeoutTest.writeBig(store);
      }
      Path users = dir.resolve("users");
      UserFile.put(users, "ann", ANN.toCharArray(), Role.READER);
      UserFile.put(users, "bob", BOB.toCharArray(), Role.READER);
      UserFile.put(users, "root", ROOT.toCharArray(), Role.ADMIN);
      server = ConvergeServer.start(ServerOptions.of(data).withHost("127.0.0.1").withPort(0),
          ServerSecurity.users(users));
    }

    @AfterAll
    void stop() throws Exception {
      if (server != null) {
        server.stop();
      }
      ConvergeServerExtension.deleteRecursively(dir);
    }

    Connection as(String user, String password) throws Exception {
      Class.forName(DRIVER);
      return DriverManager.getConnection(convergeUrl(server) + ";authentication=BASIC;avatica_user="
          + user + ";avatica_password=" + password);
    }

    String cancelUrl(Connection c, Statement s) throws SQLException {
      return server.baseUrl() + "/v1/statements/" + c.unwrap(AvaticaConnection.class).id + "/"
          + s.unwrap(AvaticaStatement.class).handle.id + "/cancel";
    }

    @Test
    void aReaderCancelsAndTimesOutItsOwnQueries() throws Exception {
      try (Connection c = as("ann", ANN); Statement s = c.createStatement()) {
        s.setQueryTimeout(1);
        SQLException timeout = longQueryFails(s);
        assertInstanceOf(SQLTimeoutException.class, timeout);
        s.setQueryTimeout(0);
        CompletableFuture<Void> canceller = cancelWhenRunning(s);
        SQLException canceled = longQueryFails(s);
        canceller.get(MAX_SECONDS, TimeUnit.SECONDS);
        assertEquals("57014", canceled.getSQLState(), canceled.getMessage());
        waitUntilIdle(server);
        assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
      }
    }

    @Test
    void anotherUserCannotCancelButAnAdminCan() throws Exception {
      try (Connection c = as("ann", ANN); Statement s = c.createStatement()) {
        String url = cancelUrl(c, s);
        CompletableFuture<SQLException> query =
            CompletableFuture.supplyAsync(() -> longQueryFails(s));
        waitUntilRunning();
        HttpResponse<String> bob = Http.post(url, "bob:" + BOB);
        assertEquals(403, bob.statusCode(), bob.body());
        assertEquals(401, Http.post(url, null).statusCode());
        assertEquals(401, Http.post(url, "bob:wrong-password").statusCode());
        Thread.sleep(300);
        assertFalse(query.isDone(), "bob's request must not stop ann's query");
        assertTrue(server.meta().runningStatements() > 0);
        HttpResponse<String> root = Http.post(url, "root:" + ROOT);
        assertEquals(200, root.statusCode(), root.body());
        assertTrue(root.body().contains("\"running\":true"), root.body());
        SQLException e = query.get(MAX_SECONDS, TimeUnit.SECONDS);
        assertEquals("57014", e.getSQLState(), e.getMessage());
        waitUntilIdle(server);
        assertEquals(QueryTimeoutTest.ROWS, count(s, "select count(*) from big"));
      }
    }

    @Test
    void anotherUsersTimeoutRequestIsRefused() throws Exception {
      try (Connection c = as("ann", ANN); Statement s = c.createStatement()) {
        String url = cancelUrl(c, s).replace("/cancel", "/timeout");
        assertEquals(403, Http.send("PUT", url, "bob:" + BOB, "{\"seconds\": 1}").statusCode());
        assertEquals(200, Http.send("PUT", url, "ann:" + ANN, "{\"seconds\": 1}").statusCode());
      }
    }
  }

  /** Plain HTTP requests to the endpoint, with optional BASIC credentials. */
  static final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10)).build();

    static HttpResponse<String> post(String url, String credentials) throws Exception {
      return send("POST", url, credentials, null);
    }

    static HttpResponse<String> send(String method, String url, String credentials, String body)
        throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(30))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      if (credentials != null) {
        b.header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
      }
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
