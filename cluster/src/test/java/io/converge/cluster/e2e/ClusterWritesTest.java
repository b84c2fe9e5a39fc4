package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.log.KeyPartitioner;
import io.converge.server.cli.ConvergeCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Writes through every door of a cluster land exactly once: HTTP documents (an {@code _id}
 * repeated within a request and across requests), SQL INSERT (VALUES and SELECT), UPDATE and
 * DELETE through the aggregator's JDBC URL, and HTTP deletes; once the leaves caught up, the
 * aggregator answers with exactly the documents a model of those writes holds. Also a declared
 * table written with SQL, and a sqlline session against the aggregator.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterWritesTest {
  private static final int PARTITIONS = 5;
  private static final Duration CATCH_UP = Duration.ofMinutes(2);

  @TempDir static Path dir;
  private InProcessCluster cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = InProcessCluster.start(dir.resolve("cluster"), PARTITIONS);
    cluster.addLeaves("g0", 3);
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A document of the model: {@code n} and {@code s}. */
  private record Doc(long n, String s) {}

  @Test
  void writesThroughHttpAndSqlLandExactlyOnce() throws Exception {
    String api = cluster.apiUrl();
    Map<String, Doc> model = new TreeMap<>();

    // one request with repeated _ids: the last one wins
    List<Map<String, Object>> first = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      first.add(doc("d" + i, i, "v" + i));
    }
    first.add(doc("d3", 103, "again"));
    first.add(doc("d7", 107, "again"));
    first.add(doc("d3", 203, "third"));
    ClusterHttp.Answer a = ClusterHttp.post(api, "w", first);
    first.forEach(d -> model.put((String) d.get("_id"), new Doc((Long) d.get("n"),
        (String) d.get("s"))));
    assertEquals(first.size(), a.body().get("written").asInt(), a.body().toString());
    assertEquals(partitionsOf(first), a.fencePartitions(), "the fence names the partitions "
        + "written: " + a.body());

    // a second request rewrites some of the first's
    List<Map<String, Object>> second = new ArrayList<>();
    for (int i = 20; i < 40; i++) {
      second.add(doc("d" + i, 200 + i, "w" + i));
    }
    a = ClusterHttp.post(api, "w", second);
    second.forEach(d -> model.put((String) d.get("_id"), new Doc((Long) d.get("n"),
        (String) d.get("s"))));
    assertEquals(partitionsOf(second), a.fencePartitions(), a.body().toString());

    List<Map<String, Object>> src = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      src.add(doc("e" + i, i, "src"));
    }
    ClusterHttp.post(api, "src", src);
    cluster.awaitCaughtUp(CATCH_UP);

    try (Connection c = DriverManager.getConnection(cluster.jdbcUrl());
        Statement st = c.createStatement()) {
      assertEquals(3, st.executeUpdate("INSERT INTO w (_id, n, s) VALUES ('q1', 1001, 'sql'), "
          + "('q2', 1002, 'sql'), ('q3', 1003, 'kept')"));
      model.put("q1", new Doc(1001, "sql"));
      model.put("q2", new Doc(1002, "sql"));
      model.put("q3", new Doc(1003, "kept"));
      assertEquals(5, st.executeUpdate("INSERT INTO w (_id, n, s) "
          + "SELECT 'c' || _id, n + 500, s FROM src WHERE n < 5"));
      for (int i = 0; i < 5; i++) {
        model.put("ce" + i, new Doc(i + 500, "src"));
      }
      cluster.awaitCaughtUp(CATCH_UP);

      // n in [220, 230): d20..d29, rewritten by the second request
      assertEquals(10, st.executeUpdate("UPDATE w SET s = 'updated' WHERE n >= 220 AND n < 230"));
      for (int i = 20; i < 30; i++) {
        model.put("d" + i, new Doc(200 + i, "updated"));
      }
      assertEquals(2, st.executeUpdate("DELETE FROM w WHERE s = 'sql'"));
      model.remove("q1");
      model.remove("q2");
    }

    for (String id : List.of("d0", "d1", "ce4")) {
      ClusterHttp.Answer d = ClusterHttp.delete(api, "w", id);
      assertEquals(200, d.status(), d.body().toString());
      assertEquals(new TreeSet<>(List.of(KeyPartitioner.partitionOf(id, PARTITIONS))),
          d.fencePartitions(), d.body().toString());
      model.remove(id);
    }
    cluster.awaitCaughtUp(CATCH_UP);

    try (Connection c = DriverManager.getConnection(cluster.jdbcUrl());
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT _id), SUM(n) FROM w")) {
        assertTrue(rs.next());
        assertEquals(model.size(), rs.getLong(1), "count");
        assertEquals(model.size(), rs.getLong(2), "distinct ids");
        assertEquals(model.values().stream().mapToLong(Doc::n).sum(), rs.getLong(3), "sum");
      }
      Map<String, Doc> actual = new TreeMap<>();
      List<String> doubled = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT _id, n, s FROM w")) {
        while (rs.next()) {
          if (actual.put(rs.getString(1), new Doc(rs.getLong(2), rs.getString(3))) != null) {
            doubled.add(rs.getString(1));
          }
        }
      }
      assertEquals(List.of(), doubled, "rows returned twice");
      assertEquals(model, actual);
      // lookups by _id route to one partition: each answers its own document
      for (String id : List.of("d3", "d7", "d25", "q3", "ce0", "d0")) {
        try (ResultSet rs = st.executeQuery("SELECT n, s FROM w WHERE _id = '" + id + "'")) {
          Doc expected = model.get(id);
          if (expected == null) {
            assertTrue(!rs.next(), id + " was deleted");
          } else {
            assertTrue(rs.next(), id);
            assertEquals(expected, new Doc(rs.getLong(1), rs.getString(2)), id);
            assertTrue(!rs.next(), id + " once");
          }
        }
      }
    }
  }

  @Test
  void aTableCreatedThroughJdbcTakesInsertsAndAnswers() throws Exception {
    try (Connection c = DriverManager.getConnection(cluster.jdbcUrl());
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE items (id INTEGER, name VARCHAR(20), PRIMARY KEY (id))");
      assertEquals(3, st.executeUpdate(
          "INSERT INTO items (id, name) VALUES (1, 'one'), (2, 'two'), (3, 'three')"));
      assertEquals(1, st.executeUpdate("INSERT INTO items (id, name) VALUES (2, 'deux')"));
    }
    cluster.awaitCaughtUp(CATCH_UP);
    try (Connection c = DriverManager.getConnection(cluster.jdbcUrl());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, name FROM items ORDER BY id")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getInt(1) + "=" + rs.getString(2));
      }
      assertEquals(List.of("1=one", "2=deux", "3=three"), rows);
    }
  }

  @Test
  void aSqllineSessionQueriesTheAggregator() throws Exception {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      docs.add(doc("k" + i, i * 10, i % 2 == 0 ? "even" : "odd"));
    }
    ClusterHttp.post(cluster.apiUrl(), "sl", docs);
    cluster.awaitCaughtUp(CATCH_UP);
    Path script = Files.write(dir.resolve("session.sql"), List.of(
        "SELECT s, COUNT(*) AS c, SUM(n) AS total FROM sl GROUP BY s ORDER BY s;",
        "EXPLAIN PLAN FOR SELECT s, COUNT(*) FROM sl GROUP BY s;"), StandardCharsets.UTF_8);
    String[] output = sql("--url", cluster.jdbcUrl(), "-f", script.toString(),
        "--outputformat=csv");
    assertEquals("0", output[0], output[1] + output[2]);
    String out = output[1];
    assertTrue(out.contains("'s','c','total'"), out);
    assertTrue(out.contains("'even','6','300'"), out);
    assertTrue(out.contains("'odd','6','360'"), out);
    assertTrue(out.contains("ClusterGather"), "EXPLAIN names the gather: " + out);
  }

  /** {@code converge sql ...} in this JVM: exit status, stdout, stderr. */
  private static synchronized String[] sql(String... args) {
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    int exit;
    System.setOut(out);
    System.setErr(err);
    try {
      CommandLine cmd = ConvergeCli.commandLine();
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(err, true));
      exit = cmd.execute(prepend("sql", args));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    String o = outBytes.toString(StandardCharsets.UTF_8);
    String e = errBytes.toString(StandardCharsets.UTF_8);
    oldOut.println("converge sql -> " + exit + "\n" + o + e);
    return new String[] {Integer.toString(exit), o, e};
  }

  private static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static Map<String, Object> doc(String id, long n, String s) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", id);
    d.put("n", n);
    d.put("s", s);
    return d;
  }

  private static TreeSet<Integer> partitionsOf(List<Map<String, Object>> docs) {
    TreeSet<Integer> p = new TreeSet<>();
    for (Map<String, Object> d : docs) {
      p.add(KeyPartitioner.partitionOf((String) d.get("_id"), PARTITIONS));
    }
    return p;
  }
}
