package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads through an aggregator see the writes before them, without sleeping: a JDBC session reads
 * its own SQL writes at once (the aggregator remembers their fence and the leaves wait for it),
 * a session given the fence of an HTTP write (when connecting, or later with
 * {@code ALTER SESSION SET fence}) reads that write, and a fence the leaves never reach fails the
 * read within its bound, saying how far the partition got.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadYourWritesTest {
  private static final int PARTITIONS = 4;
  private static final int PAIRS = 200;
  private static final int HTTP_BATCH = 1_000;
  private static final Duration CATCH_UP = Duration.ofMinutes(2);

  @TempDir static Path dir;
  private InProcessCluster cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = InProcessCluster.start(dir.resolve("cluster"), PARTITIONS);
    cluster.addLeaves("g0", 2);
    // the collections exist and are served before the tests write and read them
    for (String c : List.of("ryw", "http", "ahead", "httpread")) {
      ClusterHttp.post(cluster.apiUrl(), c, List.of(Map.of("_id", "seed", "n", -1)));
    }
    cluster.awaitCaughtUp(CATCH_UP);
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Connection connect(Properties properties) throws SQLException {
    return DriverManager.getConnection(cluster.jdbcUrl(), properties);
  }

  @Test
  void aSessionReadsEachOfItsSqlWritesAtOnce() throws Exception {
    try (Connection c = connect(new Properties());
        Statement st = c.createStatement();
        PreparedStatement byId = c.prepareStatement("SELECT n FROM ryw WHERE _id = ?")) {
      st.setQueryTimeout(30);
      byId.setQueryTimeout(30);
      long base = count(st, "ryw");
      for (int i = 0; i < PAIRS; i++) {
        assertEquals(1, st.executeUpdate("INSERT INTO ryw (_id, n) VALUES ('k" + i + "', " + i
            + ")"));
        if (i % 2 == 0) {
          assertEquals(base + i + 1, count(st, "ryw"), "the count after insert " + i);
        } else {
          byId.setString(1, "k" + i);
          try (ResultSet rs = byId.executeQuery()) {
            assertTrue(rs.next(), "k" + i + " is read right after its insert");
            assertEquals(i, rs.getLong(1));
          }
        }
      }
      // a DELETE reads what it deletes with the session's fence, and adds its own
      assertEquals(PAIRS / 2, st.executeUpdate("DELETE FROM ryw WHERE n >= 0 AND n < "
          + PAIRS / 2));
      assertEquals(base + PAIRS / 2, count(st, "ryw"));
      assertEquals(1, st.executeUpdate("UPDATE ryw SET n = 5000 WHERE _id = 'k" + (PAIRS - 1)
          + "'"));
      try (ResultSet rs = st.executeQuery("SELECT n FROM ryw WHERE _id = 'k" + (PAIRS - 1)
          + "'")) {
        assertTrue(rs.next());
        assertEquals(5000, rs.getLong(1));
      }
    }
  }

  @Test
  void aSessionGivenTheFenceOfAnHttpWriteReadsIt() throws Exception {
    long written = 1; // the seed
    for (int round = 0; round < 5; round++) {
      // many documents over every partition, read by a new session given their fence
      List<Map<String, Object>> docs = new ArrayList<>();
      for (int i = 0; i < HTTP_BATCH; i++) {
        docs.add(Map.of("_id", "h" + round + "-" + i, "n", i, "pad", "x".repeat(100)));
      }
      ClusterHttp.Answer a = ClusterHttp.post(cluster.apiUrl(), "http", docs);
      written += HTTP_BATCH;
      Properties p = new Properties();
      p.setProperty("fence", "{\"http\": " + a.body().get("fence") + "}");
      try (Connection c = connect(p); Statement st = c.createStatement()) {
        st.setQueryTimeout(30);
        assertEquals(written, count(st, "http"), "round " + round + " is read with the fence of"
            + " its write " + a.body().get("fence"));
      }
    }
  }

  @Test
  void anHttpReadGivenAWritesFenceCountsIt() throws Exception {
    for (int round = 0; round < 3; round++) {
      List<Map<String, Object>> docs = new ArrayList<>();
      for (int i = 0; i < HTTP_BATCH; i++) {
        docs.add(Map.of("_id", "f" + round + "-" + i, "n", i));
      }
      ClusterHttp.Answer a = ClusterHttp.post(cluster.apiUrl(), "httpread", docs);
      String fence = a.body().get("fence").toString();
      ClusterHttp.Answer one = ClusterHttp.get(cluster.apiUrl(),
          "/v1/collections/httpread?fence=" + ClusterHttp.encode(fence));
      assertEquals(200, one.status(), one.body().toString());
      long expected = 1 + (round + 1L) * HTTP_BATCH; // with the seed
      assertEquals(expected, one.body().get("documents").asLong(),
          "round " + round + ", fence " + fence);
      ClusterHttp.Answer list = ClusterHttp.get(cluster.apiUrl(), "/v1/collections?fence="
          + ClusterHttp.encode("{\"httpread\": " + fence + "}"));
      assertEquals(200, list.status(), list.body().toString());
      assertTrue(list.body().toString().contains("\"name\":\"httpread\",\"documents\":"
          + expected), list.body().toString());
    }
    ClusterHttp.Answer ahead = ClusterHttp.get(cluster.apiUrl(), "/v1/collections/httpread?fence="
        + ClusterHttp.encode("{\"0\": 1000000000}") + "&readWaitMs=200");
    assertEquals(503, ahead.status(), ahead.body().toString());
    assertTrue(ahead.body().toString().matches(".*partition 0 of 'httpread' has applied up to"
        + " offset \\d+, the read waits for 1000000000 \\(waited \\d+ ms.*"), ahead.body().toString());
    ClusterHttp.Answer bad = ClusterHttp.get(cluster.apiUrl(), "/v1/collections/httpread?fence="
        + ClusterHttp.encode("{\"0\": \"x\"}"));
    assertEquals(400, bad.status(), bad.body().toString());
    assertEquals(404, ClusterHttp.get(cluster.apiUrl(), "/v1/collections?fence="
        + ClusterHttp.encode("{\"nosuch\": {\"0\": 1}}")).status());
  }

  @Test
  void aFenceNotReachedFailsTheReadWithinItsBound() throws Exception {
    Properties p = new Properties();
    p.setProperty("fence", "{\"ahead\": {\"1\": 1000000000}}");
    p.setProperty("readWaitMs", "300");
    try (Connection c = connect(p); Statement st = c.createStatement()) {
      st.setQueryTimeout(30);
      SQLException e = assertThrows(SQLException.class, () -> count(st, "ahead"));
      String m = messages(e);
      assertTrue(m.matches("(?s).*TIMEOUT: .*partition 1 of 'ahead' has applied (up to offset \\d+|no"
          + " offset yet), the read waits for 1000000000 \\(waited \\d+ ms\\).*"), m);
      // other collections are not held back by it
      assertEquals(1, count(st, "http") > 0 ? 1 : 0);
    }
    p.setProperty("readWaitMs", "0");
    try (Connection c = connect(p); Statement st = c.createStatement()) {
      assertEquals(1, count(st, "ahead"), "readWaitMs=0 reads without waiting");
    }
  }

  @Test
  void anOpenSessionTakesAFenceWithAlterSession() throws Exception {
    try (Connection c = connect(new Properties()); Statement st = c.createStatement()) {
      st.setQueryTimeout(30);
      long before = count(st, "http");
      ClusterHttp.Answer a = ClusterHttp.post(cluster.apiUrl(), "http",
          List.of(Map.of("_id", "set-1", "n", 1), Map.of("_id", "set-2", "n", 2)));
      st.executeUpdate("ALTER SESSION SET fence = '{\"http\": " + a.body().get("fence")
          + "}'");
      assertEquals(before + 2, count(st, "http"));

      st.executeUpdate("ALTER SESSION SET readWaitMs = 200");
      st.executeUpdate("ALTER SESSION SET fence = '{\"ahead\": {\"2\": 1000000000}}'");
      SQLException e = assertThrows(SQLException.class, () -> count(st, "ahead"));
      assertTrue(messages(e).contains("the read waits for 1000000000 (waited"), messages(e));
      st.executeUpdate("ALTER SESSION RESET fence");
      assertEquals(1, count(st, "ahead"), "RESET fence forgets the fence");
      st.executeUpdate("SET fence = '{\"ahead\": {\"2\": 1000000000}}'");
      e = assertThrows(SQLException.class, () -> count(st, "ahead"));
      assertTrue(messages(e).contains("the read waits for 1000000000"), messages(e));
      st.executeUpdate("RESET fence");
      assertEquals(1, count(st, "ahead"), "bare SET and RESET are session statements too");

      e = assertThrows(SQLException.class,
          () -> st.executeUpdate("ALTER SESSION SET colour = 'blue'"));
      assertTrue(messages(e).contains("unknown session option"), messages(e));
      e = assertThrows(SQLException.class,
          () -> st.executeUpdate("ALTER SESSION SET readWaitMs = -1"));
      assertTrue(messages(e).contains("readWaitMs"), messages(e));
      st.executeUpdate("ALTER SESSION SET monotonicReads = false");
      assertEquals(1, count(st, "ahead"));
      st.executeUpdate("ALTER SESSION RESET monotonicReads");
      e = assertThrows(SQLException.class,
          () -> st.executeUpdate("ALTER SESSION SET monotonicReads = 'maybe'"));
      assertTrue(messages(e).contains("monotonicReads must be true or false"), messages(e));
    }
  }

  @Test
  void aMalformedFenceIsRefusedWithTheReason() throws Exception {
    Properties p = new Properties();
    p.setProperty("fence", "{\"ahead\": 3}");
    try (Connection c = connect(p); Statement st = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> count(st, "ahead"));
      assertTrue(messages(e).contains("connection property fence: expected a JSON object"),
          messages(e));
    }
  }

  private static long count(Statement st, String collection) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + collection)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null && b.length() < 20_000; c = c.getCause()) {
      b.append(c.getMessage()).append('\n');
    }
    return b.toString();
  }
}
