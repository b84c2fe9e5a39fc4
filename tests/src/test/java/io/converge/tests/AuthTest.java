package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.auth.Role;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.auth.UserFile;
import io.converge.server.cli.ConvergeCli;
import io.converge.storage.ConvergeStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and roles against a real server with {@code --users}: no credentials and wrong
 * passwords get 401 (and a failed JDBC connection), failed logins are logged without the
 * password, readers query but cannot write through SQL or HTTP, writers write, only admins back
 * up; the server binds to the loopback address unless told otherwise.
 */
class AuthTest {
  static final String READER_PASSWORD = "reader-secret-1";
  static final String WRITER_PASSWORD = "writer-secret-2";
  static final String ADMIN_PASSWORD = "admin-secret-3";
  static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  static Path dir;
  static Path users;
  static ConvergeServer server;

  @BeforeAll
  static void start() throws Exception {
    Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    dir = Files.createTempDirectory("converge-auth-");
    Path data = dir.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
    }
    users = dir.resolve("users");
    UserFile.put(users, "reader", READER_PASSWORD.toCharArray(), Role.READER);
    UserFile.put(users, "writer", WRITER_PASSWORD.toCharArray(), Role.WRITER);
    UserFile.put(users, "admin", ADMIN_PASSWORD.toCharArray(), Role.ADMIN);
    server = ConvergeServer.start(ServerOptions.of(data).withPort(0),
        ServerSecurity.users(users));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    ConvergeServerExtension.deleteRecursively(dir);
  }

  static Connection connect(String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("authentication", "BASIC");
    p.setProperty("avatica_user", user);
    p.setProperty("avatica_password", password);
    return DriverManager.getConnection(server.jdbcUrl(), p);
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
  }

  static HttpResponse<String> http(String method, String path, String user, String password,
      String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (user != null) {
      b.header("Authorization", basic(user, password));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static long count(String collection) throws SQLException {
    try (Connection c = connect("admin", ADMIN_PASSWORD)) {
      return ((Number) Sql.scalar(c, "select count(*) from " + Sql.quote(collection)))
          .longValue();
    }
  }

  /** The messages of an exception and its causes. */
  static String messages(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      b.append(t).append(" / ");
      if (t instanceof org.apache.calcite.avatica.AvaticaSqlException a) {
        b.append(a.getErrorMessage()).append(" / ").append(a.getStackTraces()).append(" / ");
      }
    }
    return b.toString();
  }

  /** Runs {@code action} with System.err captured; returns what was printed. */
  static String stderrOf(Callable<?> action) throws Exception {
    PrintStream old = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      action.call();
    } finally {
      System.setErr(old);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    old.print(text);
    return text;
  }

  @Test
  void requestsWithoutCredentialsGet401() throws Exception {
    HttpResponse<String> api = http("GET", "/v1/collections", null, null, null);
    assertEquals(401, api.statusCode(), api.body());
    assertTrue(api.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="),
        api.headers().map().toString());
    HttpResponse<String> avatica = http("POST", "/", null, null, "{}");
    assertEquals(401, avatica.statusCode());
    Exception e = assertThrows(Exception.class,
        () -> DriverManager.getConnection(server.jdbcUrl()).createStatement()
            .executeQuery("select count(*) from orders"));
    assertTrue(messages(e).contains("HTTP/401"), messages(e));
  }

  @Test
  void wrongPasswordIsRefusedAndLoggedWithoutThePassword() throws Exception {
    String wrong = "not-the-Password-77";
    String log = stderrOf(() -> {
      HttpResponse<String> r = http("GET", "/v1/collections", "reader", wrong, null);
      assertEquals(401, r.statusCode(), r.body());
      assertTrue(r.body().contains("wrong user name or password"), r.body());
      // the remote driver fails the connection with "Failed to execute HTTP Request, got
      // HTTP/401" (a RuntimeException from its HTTP client, not wrapped in an SQLException)
      Exception e = assertThrows(Exception.class, () -> {
        try (Connection c = connect("writer", wrong)) {
          c.createStatement().executeQuery("select 1");
        }
      });
      assertTrue(messages(e).contains("HTTP/401"), messages(e));
      assertEquals(401, http("GET", "/v1/collections", "nobody", wrong, null).statusCode());
      return null;
    });
    assertTrue(log.contains("failed login for user 'reader' from 127.0.0.1"), log);
    assertTrue(log.contains("failed login for user 'writer' from 127.0.0.1"), log);
    assertTrue(log.contains("failed login for user 'nobody' from 127.0.0.1"), log);
    assertFalse(log.contains(wrong), "the log shows the password: " + log);
    // the right password still works afterwards
    assertEquals(200, http("GET", "/v1/collections", "reader", READER_PASSWORD, null)
        .statusCode());
  }

  @Test
  void readerQueriesButCannotWriteThroughSql() throws Exception {
    try (Connection c = connect("reader", READER_PASSWORD); Statement s = c.createStatement()) {
      assertEquals(300L, ((Number) Sql.scalar(c, "select count(*) from orders")).longValue());
      assertEquals(75L, ((Number) Sql.scalar(c,
          "with p as (select * from orders where status = 'paid') select count(*) from p"))
          .longValue());
      for (String write : new String[] {
          "insert into orders (\"_id\", status) values ('r1', 'new')",
          "update orders set status = 'x' where \"_id\" = 'o1'",
          "delete from orders",
          "create table evil (a int)",
          "drop table orders",
          "select 1; delete from orders",
          "explain plan for delete from orders"}) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate(write), write);
        assertTrue(e.getMessage().contains("permission denied: user 'reader' has the read-only "
            + "role reader"), write + " -> " + e.getMessage());
        assertEquals("42501", e.getSQLState(), write);
      }
      SQLException prepared = assertThrows(SQLException.class,
          () -> c.prepareStatement("insert into orders (\"_id\", status) values (?, ?)"));
      // the driver wraps a failed prepare as "while preparing SQL: ..."; the reason is the cause
      assertEquals("42501", prepared.getSQLState());
      assertTrue(messages(prepared).contains("permission denied: user 'reader' has the read-only"
          + " role reader: only queries are allowed, not INSERT"), messages(prepared));
      // the remote driver reports a failed batch as an AvaticaClientRuntimeException
      Exception batch = assertThrows(Exception.class, () -> {
        s.addBatch("insert into orders (\"_id\", status) values ('r2', 'new')");
        s.executeBatch();
      });
      assertTrue(messages(batch).contains("permission denied: user 'reader'"), messages(batch));
      assertFalse(Sql.rows(c, "explain plan for select * from orders where status = 'new'")
          .isEmpty());
      // a query prepared by a reader runs
      try (PreparedStatement ps = c.prepareStatement(
          "select count(*) from orders where status = ?")) {
        ps.setString(1, "new");
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          assertTrue(rs.next());
          assertEquals(75L, rs.getLong(1));
        }
      }
    }
    assertEquals(300, count("orders"));
    // DDL runs when it is prepared: the refused CREATE TABLE made nothing
    HttpResponse<String> list = http("GET", "/v1/collections", "reader", READER_PASSWORD, null);
    assertFalse(list.body().contains("evil"), list.body());
  }

  @Test
  void writerRunsDdl() throws Exception {
    try (Connection c = connect("writer", WRITER_PASSWORD); Statement s = c.createStatement()) {
      s.execute("create table made_by_writer (n integer)");
      assertEquals(1, s.executeUpdate("insert into made_by_writer (n) values (1)"));
      assertEquals(1L, ((Number) Sql.scalar(c, "select count(*) from made_by_writer"))
          .longValue());
    }
    try (Connection c = connect("reader", READER_PASSWORD); Statement s = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class,
          () -> s.execute("drop table made_by_writer"));
      assertTrue(e.getMessage().contains("only queries are allowed, not DROP TABLE"),
          e.getMessage());
    }
    assertEquals(1, count("made_by_writer"));
  }

  @Test
  void repeatedFailedLoginsFromOneAddressGet429ButVerifiedCredentialsStillWork(
      @TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path file = tmp.resolve("users");
    UserFile.put(file, "ann", "ann-password-1".toCharArray(), Role.READER);
    UserFile.put(file, "bob", "bob-password-2".toCharArray(), Role.READER);
    ConvergeServer small = ConvergeServer.start(ServerOptions.of(data).withPort(0),
        ServerSecurity.users(file, 3, 60_000));
    try {
      String url = small.baseUrl() + "/v1/collections";
      assertEquals(200, get(url, "ann", "ann-password-1").statusCode());
      for (int i = 0; i < 3; i++) {
        assertEquals(401, get(url, "ann", "guess-" + i).statusCode());
      }
      HttpResponse<String> throttled = get(url, "ann", "guess-3");
      assertEquals(429, throttled.statusCode(), throttled.body());
      assertTrue(throttled.headers().firstValue("Retry-After").isPresent());
      assertTrue(throttled.body().contains("too many failed logins from 127.0.0.1"),
          throttled.body());
      // not checked while throttled, even when right; verified credentials keep working
      assertEquals(429, get(url, "bob", "bob-password-2").statusCode());
      assertEquals(200, get(url, "ann", "ann-password-1").statusCode());
    } finally {
      small.stop();
    }
  }

  static HttpResponse<String> get(String url, String user, String password) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .header("Authorization", basic(user, password)).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void credentialsInTheJdbcUrlWork() throws Exception {
    String url = server.jdbcUrl() + ";authentication=BASIC;avatica_user=reader;avatica_password="
        + READER_PASSWORD;
    try (Connection c = DriverManager.getConnection(url)) {
      assertEquals(300L, ((Number) Sql.scalar(c, "select count(*) from orders")).longValue());
    }
    // the same URL through bin/converge sql (sqlline)
    Cli.Result sql = Cli.run("sql", "--url", url, "-e", "select count(*) as n from orders");
    assertEquals(0, sql.exit(), sql.all());
    assertTrue(sql.out().contains("300"), sql.out());
  }

  @Test
  void readerCannotWriteThroughHttp() throws Exception {
    HttpResponse<String> get = http("GET", "/v1/collections/orders", "reader", READER_PASSWORD,
        null);
    assertEquals(200, get.statusCode(), get.body());
    HttpResponse<String> post = http("POST", "/v1/collections/orders/docs", "reader",
        READER_PASSWORD, "{\"_id\": \"h1\", \"status\": \"new\"}");
    assertEquals(403, post.statusCode(), post.body());
    assertTrue(post.body().contains("read-only role reader"), post.body());
    HttpResponse<String> delete = http("DELETE", "/v1/collections/orders/docs/o1", "reader",
        READER_PASSWORD, null);
    assertEquals(403, delete.statusCode(), delete.body());
    HttpResponse<String> backup = http("POST", "/v1/admin/backup", "reader", READER_PASSWORD,
        "{\"to\": \"" + dir.resolve("reader-backup") + "\"}");
    assertEquals(403, backup.statusCode(), backup.body());
    assertEquals(300, count("orders"));
    assertFalse(Files.exists(dir.resolve("reader-backup")));
  }

  @Test
  void writerWritesThroughSqlAndHttpButCannotBackUp() throws Exception {
    try (Connection c = connect("writer", WRITER_PASSWORD); Statement s = c.createStatement()) {
      assertEquals(0L, ((Number) Sql.scalar(c,
          "select count(*) from customers where \"_id\" = 'w1'")).longValue());
      assertEquals(1, s.executeUpdate(
          "insert into customers (\"_id\", name) values ('w1', 'Written by SQL')"));
      try (PreparedStatement ps = c.prepareStatement(
          "insert into customers (\"_id\", name) values (?, ?)")) {
        ps.setString(1, "w2");
        ps.setString(2, "Prepared");
        assertEquals(1, ps.executeUpdate());
      }
    }
    HttpResponse<String> post = http("POST", "/v1/collections/customers/docs", "writer",
        WRITER_PASSWORD, "{\"_id\": \"w3\", \"name\": \"Written over HTTP\"}");
    assertEquals(200, post.statusCode(), post.body());
    assertEquals(TestData.CUSTOMER_COUNT + 3, count("customers"));
    HttpResponse<String> backup = http("POST", "/v1/admin/backup", "writer", WRITER_PASSWORD,
        "{\"to\": \"" + dir.resolve("writer-backup") + "\"}");
    assertEquals(403, backup.statusCode(), backup.body());
    assertTrue(backup.body().contains("needs the admin role"), backup.body());
  }

  @Test
  void adminBacksUpOverHttp() throws Exception {
    Path to = dir.resolve("admin-backup");
    HttpResponse<String> backup = http("POST", "/v1/admin/backup", "admin", ADMIN_PASSWORD,
        "{\"to\": \"" + to + "\"}");
    assertEquals(200, backup.statusCode(), backup.body());
    assertTrue(Files.exists(to.resolve("CURRENT")), "no checkpoint in " + to);
    HttpResponse<String> again = http("POST", "/v1/admin/backup", "admin", ADMIN_PASSWORD,
        "{\"to\": \"" + to + "\"}");
    assertEquals(409, again.statusCode(), again.body());
    HttpResponse<String> relative = http("POST", "/v1/admin/backup", "admin", ADMIN_PASSWORD,
        "{\"to\": \"relative/dir\"}");
    assertEquals(400, relative.statusCode(), relative.body());
  }

  @Test
  void usersAddedWhileServingCanLogIn() throws Exception {
    assertEquals(401, http("GET", "/v1/collections", "late", "late-password-9", null)
        .statusCode());
    InputStream oldIn = System.in;
    System.setIn(new ByteArrayInputStream("late-password-9\n".getBytes(StandardCharsets.UTF_8)));
    Cli.Result r;
    try {
      r = Cli.run("user", "add", "--users", users.toString(), "late", "--role", "reader");
    } finally {
      System.setIn(oldIn);
    }
    assertEquals(0, r.exit(), r.all());
    String file = Files.readString(users);
    assertFalse(file.contains("late-password-9"), file);
    assertTrue(file.contains("late:pbkdf2-sha256$"), file);
    long deadline = System.nanoTime() + 10_000_000_000L;
    int status;
    do {
      Thread.sleep(200);
      status = http("GET", "/v1/collections", "late", "late-password-9", null).statusCode();
    } while (status != 200 && System.nanoTime() < deadline);
    assertEquals(200, status);
  }

  @Test
  void userAddRefusesShortPasswordsAndUnknownRoles(@TempDir Path tmp) {
    Path f = tmp.resolve("users");
    InputStream oldIn = System.in;
    try {
      System.setIn(new ByteArrayInputStream("short\n".getBytes(StandardCharsets.UTF_8)));
      Cli.Result shortPassword = Cli.run("user", "add", "--users", f.toString(), "ann", "--role",
          "reader");
      assertEquals(2, shortPassword.exit());
      assertTrue(shortPassword.err().contains("at least 8 characters"), shortPassword.err());
      System.setIn(new ByteArrayInputStream("long-enough-1\n".getBytes(StandardCharsets.UTF_8)));
      Cli.Result badRole = Cli.run("user", "add", "--users", f.toString(), "ann", "--role",
          "root");
      assertEquals(2, badRole.exit());
      assertTrue(badRole.err().contains("expected reader, writer or admin"), badRole.err());
      System.setIn(new ByteArrayInputStream("long-enough-1\n".getBytes(StandardCharsets.UTF_8)));
      Cli.Result colon = Cli.run("user", "add", "--users", f.toString(), "a:b", "--role",
          "reader");
      assertEquals(2, colon.exit());
    } finally {
      System.setIn(oldIn);
    }
    assertFalse(Files.exists(f));
  }

  @Test
  void serverCommandNeedsUsersOrAnExplicitNoAuth(@TempDir Path tmp) {
    String data = tmp.resolve("data").toString();
    Cli.Result none = Cli.run("server", "--data-dir", data, "--port", "0");
    assertEquals(2, none.exit());
    assertTrue(none.err().contains("authentication is required: pass --users FILE"), none.err());
    assertTrue(none.err().contains("--no-auth"), none.err());
    Cli.Result both = Cli.run("server", "--data-dir", data, "--port", "0", "--no-auth",
        "--users", users.toString());
    assertEquals(2, both.exit());
    assertTrue(both.err().contains("exclude each other"), both.err());
    Cli.Result missing = Cli.run("server", "--data-dir", data, "--port", "0", "--users",
        tmp.resolve("nope").toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("does not exist"), missing.err());
  }

  @Test
  void serverBindsTheLoopbackAddressUnlessToldOtherwise() throws Exception {
    assertEquals("127.0.0.1", ServerOptions.DEFAULT_HOST);
    var cli = ConvergeCli.commandLine().getSubcommands();
    assertEquals("127.0.0.1", cli.get("server").getCommandSpec().findOption("--host")
        .defaultValue());
    assertEquals("127.0.0.1", cli.get("demo").getCommandSpec().findOption("--host")
        .defaultValue());
    InetSocketAddress bound = server.boundAddress();
    assertEquals(InetAddress.getByName("127.0.0.1"), bound.getAddress());
    assertEquals(server.port(), bound.getPort());
    InetAddress outside = nonLoopbackAddress();
    if (outside != null) {
      try (Socket s = new Socket()) {
        assertThrows(ConnectException.class,
            () -> s.connect(new InetSocketAddress(outside, server.port()), 2000),
            "reachable on " + outside);
      }
    }
  }

  /** An IPv4 address of this machine that is not loopback, or null. */
  static InetAddress nonLoopbackAddress() throws Exception {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return a;
        }
      }
    }
    return null;
  }

  @Test
  void serverFileAdvertisesTheAuthenticatingServer() throws Exception {
    var f = io.converge.server.admin.ServerFile.read(server.options().dataDir());
    assertNotNull(f);
    assertTrue(f.auth());
    assertEquals(server.baseUrl(), f.url());
  }
}
