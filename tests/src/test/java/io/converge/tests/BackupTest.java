package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.admin.ServerFile;
import io.converge.server.auth.Role;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.auth.UserFile;
import io.converge.storage.ConvergeStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code converge backup}: a checkpoint taken by the serving server while HTTP ingest runs holds
 * exactly the batches acknowledged up to one instant (whole batches, in order), and a second
 * server on the copy answers like the first did at that instant; without a server the command
 * opens the directory itself; targets that exist are refused; an authenticating server backs up
 * for admins only.
 */
class BackupTest {
  static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  static final int BATCH = 50;
  static final String ORDERS_SQL = "select \"_id\", status, quantity, amount"
      + " from orders order by \"_id\"";
  static final String GROUPS_SQL = "select status, count(*), sum(amount) from orders"
      + " group by status order by status";

  /** One event document: seq, a value and a low-cardinality tag. */
  static String event(int seq) {
    return "{\"_id\": \"e" + seq + "\", \"seq\": " + seq + ", \"value\": " + (seq * 7 % 97)
        + ", \"tag\": \"t" + (seq % 5) + "\"}";
  }

  static int post(ConvergeServer server, String body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(server.apiUrl()
            + "/collections/events/docs"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  static long scalar(Connection c, String sql) throws Exception {
    return ((Number) Sql.scalar(c, sql)).longValue();
  }

  @Test
  void backupWhileServingAndIngestingThenServeTheCopy(@TempDir Path root) throws Exception {
    Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    Path data = root.resolve("data");
    Path copy = root.resolve("backups").resolve("copy");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
    }
    ConvergeServer server = Servers.start(data);
    ConvergeServer restored = null;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger acked = new AtomicInteger();
    AtomicReference<Throwable> ingestFailure = new AtomicReference<>();
    Thread ingest = new Thread(() -> {
      try {
        for (int b = 0; !stop.get(); b++) {
          StringJoiner body = new StringJoiner("\n");
          for (int i = 0; i < BATCH; i++) {
            body.add(event(b * BATCH + i));
          }
          int status = post(server, body.toString());
          if (status != 200) {
            throw new AssertionError("batch " + b + " got HTTP " + status);
          }
          acked.incrementAndGet();
        }
      } catch (Throwable t) {
        ingestFailure.set(t);
      }
    }, "backup-test-ingest");
    try {
      assertEquals(server.baseUrl(), ServerFile.read(data).url());
      ingest.start();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (acked.get() < 20 && System.nanoTime() < deadline && ingestFailure.get() == null) {
        Thread.sleep(20);
      }
      assertNull(ingestFailure.get());
      int ackedBefore = acked.get();
      Cli.Result backup = Cli.run("backup", "--data-dir", data.toString(), "--to",
          copy.toString());
      int ackedAfter = acked.get();
      assertEquals(0, backup.exit(), backup.all());
      assertTrue(backup.out().contains("by the server at " + server.baseUrl()), backup.out());
      // ingest goes on after the backup
      deadline = System.nanoTime() + 60_000_000_000L;
      while (acked.get() < ackedAfter + 5 && System.nanoTime() < deadline
          && ingestFailure.get() == null) {
        Thread.sleep(20);
      }
      stop.set(true);
      ingest.join(60_000);
      assertNull(ingestFailure.get());
      assertTrue(acked.get() >= ackedAfter + 5, "ingest stalled after the backup");

      restored = Servers.start(copy);
      assertEquals(restored.baseUrl(), ServerFile.read(copy).url());
      try (Connection original = DriverManager.getConnection(server.jdbcUrl());
          Connection backedUp = DriverManager.getConnection(restored.jdbcUrl())) {
        long n = scalar(backedUp, "select count(*) from events");
        System.out.println("backup holds " + n + " events; acknowledged before the backup "
            + ackedBefore * BATCH + ", after " + ackedAfter * BATCH + ", in the end "
            + acked.get() * BATCH);
        assertEquals(0, n % BATCH, "a batch was split: " + n);
        assertTrue(n >= (long) ackedBefore * BATCH, n + " < " + ackedBefore * BATCH);
        assertTrue(n <= (long) (ackedAfter + 1) * BATCH, n + " > " + (ackedAfter + 1) * BATCH);
        // exactly the first n events, the same as the original holds for them
        assertEquals(n - 1, scalar(backedUp, "select max(seq) from events"));
        assertEquals(0, scalar(backedUp, "select min(seq) from events"));
        String aggregate = "select count(*), sum(\"value\"), count(distinct tag), sum(seq) "
            + "from events";
        assertEquals(Sql.rows(original, aggregate + " where seq < " + n),
            Sql.rows(backedUp, aggregate));
        String byTag = "select tag, count(*), sum(\"value\") from events%s group by tag "
            + "order by tag";
        assertEquals(Sql.rows(original, byTag.formatted(" where seq < " + n)),
            Sql.rows(backedUp, byTag.formatted("")));
        List<Long> sample = new ArrayList<>();
        for (long s = 0; s < n; s += 37) {
          sample.add(s);
        }
        sample.add(n - 1);
        String rows = "select \"_id\", seq, \"value\", tag from events where seq in ("
            + String.join(", ", sample.stream().map(String::valueOf).toList())
            + ") order by seq";
        List<List<Object>> sampled = Sql.rows(backedUp, rows);
        assertEquals(sample.size(), sampled.size());
        assertEquals(Sql.rows(original, rows), sampled);
        // the data written before the server started, compared whole
        assertEquals(Sql.rows(original, ORDERS_SQL), Sql.rows(backedUp, ORDERS_SQL));
        assertEquals(Sql.rows(original, GROUPS_SQL), Sql.rows(backedUp, GROUPS_SQL));
        assertEquals((long) TestData.CUSTOMER_COUNT,
            scalar(backedUp, "select count(*) from customers"));
        // the original kept everything acknowledged, the copy nothing after the backup
        assertEquals((long) acked.get() * BATCH, scalar(original, "select count(*) from events"));
      }
    } finally {
      stop.set(true);
      ingest.join(60_000);
      if (restored != null) {
        restored.stop();
      }
      server.stop();
    }
    assertFalse(Files.exists(ServerFile.in(data)), "the server file outlived the server");
    Cli.Result check = Cli.run("check", "--data-dir", copy.toString());
    assertEquals(0, check.exit(), check.all());
  }

  @Test
  void backupOfAnUnservedDirectoryOpensItDirectly(@TempDir Path root) throws Exception {
    Path data = root.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
    }
    Cli.Result direct = Cli.run("backup", "--data-dir", data.toString(), "--to",
        root.resolve("copy1").toString());
    assertEquals(0, direct.exit(), direct.all());
    assertTrue(direct.out().contains("no server held the directory"), direct.out());
    // a server file left by a killed server: nobody listens at its port
    int freePort;
    try (ServerSocket s = new ServerSocket(0)) {
      freePort = s.getLocalPort();
    }
    new ServerFile("http://127.0.0.1:" + freePort, data.toAbsolutePath().toString(), false, 1)
        .write(data);
    Cli.Result stale = Cli.run("backup", "--data-dir", data.toString(), "--to",
        root.resolve("copy2").toString());
    assertEquals(0, stale.exit(), stale.all());
    assertTrue(stale.err().contains("stale"), stale.err());
    for (String c : List.of("copy1", "copy2")) {
      try (ConvergeStore store = ConvergeStore.open(root.resolve(c))) {
        assertEquals(TestData.ORDER_COUNT, store.collection(TestData.ORDERS).documentCount());
        assertEquals(TestData.CUSTOMER_COUNT,
            store.collection(TestData.CUSTOMERS).documentCount());
      }
    }
    Cli.Result exists = Cli.run("backup", "--data-dir", data.toString(), "--to",
        root.resolve("copy1").toString());
    assertEquals(2, exists.exit());
    assertTrue(exists.err().contains("already exists"), exists.err());
    Cli.Result inside = Cli.run("backup", "--data-dir", data.toString(), "--to",
        data.resolve("inner").toString());
    assertEquals(2, inside.exit());
    assertTrue(inside.err().contains("overlaps the data directory"), inside.err());
    Cli.Result missing = Cli.run("backup", "--data-dir", root.resolve("nope").toString(), "--to",
        root.resolve("copy3").toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("no such directory"), missing.err());
  }

  @Test
  void anAuthenticatingServerBacksUpForAdminsOnly(@TempDir Path root) throws Exception {
    Path data = root.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
    }
    Path users = root.resolve("users");
    UserFile.put(users, "boss", "boss-password-1".toCharArray(), Role.ADMIN);
    UserFile.put(users, "pen", "pen-password-22".toCharArray(), Role.WRITER);
    ConvergeServer server = ConvergeServer.start(ServerOptions.of(data).withPort(0),
        ServerSecurity.users(users));
    try {
      Cli.Result anonymous = Cli.run("backup", "--data-dir", data.toString(), "--to",
          root.resolve("b1").toString());
      assertEquals(2, anonymous.exit());
      assertTrue(anonymous.err().contains("requires authentication: pass --user NAME"),
          anonymous.err());
      Cli.Result writer = withStdin("pen-password-22\n", () -> Cli.run("backup", "--data-dir",
          data.toString(), "--to", root.resolve("b2").toString(), "--user", "pen",
          "--password-stdin"));
      assertEquals(2, writer.exit());
      assertTrue(writer.err().contains("HTTP 403"), writer.err());
      Cli.Result wrong = withStdin("not-it-at-all\n", () -> Cli.run("backup", "--data-dir",
          data.toString(), "--to", root.resolve("b3").toString(), "--user", "boss",
          "--password-stdin"));
      assertEquals(2, wrong.exit());
      assertTrue(wrong.err().contains("HTTP 401"), wrong.err());
      Cli.Result admin = withStdin("boss-password-1\n", () -> Cli.run("backup", "--data-dir",
          data.toString(), "--to", root.resolve("b4").toString(), "--user", "boss",
          "--password-stdin"));
      assertEquals(0, admin.exit(), admin.all());
      assertFalse(Files.exists(root.resolve("b2")));
      assertFalse(Files.exists(root.resolve("b3")));
    } finally {
      server.stop();
    }
    try (ConvergeStore store = ConvergeStore.open(root.resolve("b4"))) {
      assertNotNull(store.collection(TestData.ORDERS));
      assertEquals(TestData.ORDER_COUNT, store.collection(TestData.ORDERS).documentCount());
    }
  }

  /**
   * The real thing: {@code converge server --users FILE} in a child JVM holds the directory's
   * RocksDB lock, so {@code converge backup} here must go through its admin API; the server asks
   * for credentials, and removes its server file when stopped (SIGTERM).
   */
  @Test
  void backupOfAServerProcessWithUsers(@TempDir Path root) throws Exception {
    Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    Path data = root.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
    }
    Path users = root.resolve("users");
    UserFile.put(users, "boss", "boss-password-1".toCharArray(), Role.ADMIN);
    Path log = root.resolve("server.log");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(javaBin, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), "io.converge.server.cli.ConvergeCli", "server",
        "--data-dir", data.toString(), "--port", "0", "--users", users.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      java.util.regex.Matcher m = null;
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (System.nanoTime() < deadline && p.isAlive()) {
        m = java.util.regex.Pattern.compile("serving .* on 127\\.0\\.0\\.1:(\\d+)")
            .matcher(Files.readString(log));
        if (m.find()) {
          break;
        }
        m = null;
        Thread.sleep(100);
      }
      assertNotNull(m, "the server did not start:\n" + Files.readString(log));
      String base = "http://127.0.0.1:" + m.group(1);
      assertTrue(Files.readString(log).contains("Auth:      HTTP BASIC, users from"),
          Files.readString(log));
      HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(
          URI.create(base + "/v1/collections")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, anonymous.statusCode());
      ServerFile f = ServerFile.read(data);
      assertNotNull(f);
      assertEquals(base, f.url());
      assertTrue(f.auth());
      Cli.Result backup = withStdin("boss-password-1\n", () -> Cli.run("backup", "--data-dir",
          data.toString(), "--to", root.resolve("copy").toString(), "--user", "boss",
          "--password-stdin"));
      assertEquals(0, backup.exit(), backup.all());
      assertTrue(backup.out().contains("by the server at " + base), backup.out());
      // without the server file, the CLI cannot find the server and the lock stops it
      Files.move(ServerFile.in(data), root.resolve("hidden.json"));
      Cli.Result locked = Cli.run("backup", "--data-dir", data.toString(), "--to",
          root.resolve("copy2").toString());
      assertEquals(2, locked.exit(), locked.all());
      assertTrue(locked.err().contains("is in use by another process"), locked.err());
      assertTrue(locked.err().contains("no running Converge server answers for it"),
          locked.err());
      assertFalse(Files.exists(root.resolve("copy2")));
      Files.move(root.resolve("hidden.json"), ServerFile.in(data));
      p.destroy(); // SIGTERM: the shutdown hook stops the server
      assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), Files.readString(log));
      assertFalse(Files.exists(ServerFile.in(data)), "server file left after a clean stop");
    } finally {
      p.destroyForcibly();
      p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    ConvergeServer restored = Servers.start(root.resolve("copy"));
    try (Connection c = DriverManager.getConnection(restored.jdbcUrl())) {
      assertEquals(TestData.ORDER_COUNT, scalar(c, "select count(*) from orders"));
      assertEquals(TestData.CUSTOMER_COUNT, scalar(c, "select count(*) from customers"));
    } finally {
      restored.stop();
    }
  }

  static Cli.Result withStdin(String text, java.util.function.Supplier<Cli.Result> run) {
    InputStream old = System.in;
    System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    try {
      return run.get();
    } finally {
      System.setIn(old);
    }
  }
}
