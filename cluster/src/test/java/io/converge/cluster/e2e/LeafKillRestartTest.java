package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.cli.ClusterFile;
import io.converge.server.cli.ConvergeCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * kill -9 of a leaf of a real cluster (every role its own process, started with
 * {@code cluster start}) while acknowledged writes go on, then {@code cluster stop} and a resumed
 * {@code cluster start}: every acknowledged document is there exactly once with its last
 * acknowledged value, and the answers over the documents written before the kill are the same as
 * before it.
 */
@Tag("slow")
class LeafKillRestartTest {
  private static final String COLLECTION = "k";
  private static final int LEAVES = 2;
  private static final Duration CATCH_UP = Duration.ofMinutes(3);
  private static final List<String> AGGREGATES = List.of(
      "SELECT g, COUNT(*), SUM(n), MIN(v), MAX(v) FROM k WHERE p = 1 GROUP BY g ORDER BY g",
      "SELECT COUNT(*), COUNT(DISTINCT _id), SUM(v), AVG(n) FROM k WHERE p = 1",
      "SELECT v, COUNT(*) FROM k WHERE p = 1 GROUP BY v ORDER BY v");

  @TempDir Path dir;

  /** A document of the model: its last acknowledged {@code n} and {@code v}. */
  private record Doc(long n, long v) {}

  @Test
  void killedLeafLosesNothingAcknowledgedAndAnswersTheSameAfterRestart() throws Exception {
    Path cdir = dir.resolve("cluster");
    int port = freePort();
    try {
      cli("cluster", "start", "--dir", cdir.toString(), "--leaves", String.valueOf(LEAVES),
          "--partitions", "4", "--port", String.valueOf(port), "--no-auth", "--leaf-heap", "384m",
          "--aggregator-heap", "512m", "--kafka-heap", "384m", "--timeout", "180");
      ClusterFile file = ClusterFile.read(cdir);
      assertNotNull(file);
      String api = "http://127.0.0.1:" + port;
      String jdbc = file.jdbcUrl();
      Map<String, Doc> model = new TreeMap<>();

      // before the kill: 400 documents, the first 50 written twice
      for (int b = 0; b < 8; b++) {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = b * 50; i < b * 50 + 50; i++) {
          batch.add(doc("a" + i, i, 1, 1));
        }
        acknowledged(ClusterHttp.post(api, COLLECTION, batch), batch, model);
      }
      List<Map<String, Object>> again = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        again.add(doc("a" + i, i, 2, 1));
      }
      acknowledged(ClusterHttp.post(api, COLLECTION, again), again, model);
      StatusWait.awaitCaughtUp(api, COLLECTION, LEAVES, CATCH_UP);
      List<List<String>> before = answers(jdbc);
      assertModel(jdbc, model);

      // writes go on while a leaf is killed: documents b*, some of them rewritten
      AtomicInteger batches = new AtomicInteger();
      ExecutorService writer = Executors.newSingleThreadExecutor();
      Future<?> writes = writer.submit(() -> {
        for (int b = 0; b < 12; b++) {
          List<Map<String, Object>> batch = new ArrayList<>();
          for (int i = b * 25; i < b * 25 + 25; i++) {
            batch.add(doc("b" + i, i, 10 + b, 2));
          }
          for (int i = 0; i < b * 25; i += 7) {
            batch.add(doc("b" + i, i, 10 + b, 2));
          }
          acknowledged(ClusterHttp.post(api, COLLECTION, batch), batch, model);
          batches.incrementAndGet();
          sleep(150);
        }
        return null;
      });
      long waitUntil = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (batches.get() < 3 && System.nanoTime() < waitUntil && !writes.isDone()) {
        Thread.sleep(20);
      }
      ClusterFile.Proc victim = file.processes().stream()
          .filter(pr -> pr.name().equals("leaf-g0-0")).findFirst().orElseThrow();
      ProcessHandle leaf = ProcessHandle.of(victim.pid()).orElseThrow();
      assertTrue(leaf.destroyForcibly(), "kill -9 " + victim.pid());
      leaf.onExit().get(30, TimeUnit.SECONDS);
      try {
        writes.get(2, TimeUnit.MINUTES);
      } catch (ExecutionException | TimeoutException e) {
        throw new AssertionError("writes while the leaf was killed: " + e, e);
      } finally {
        writer.shutdownNow();
      }
      assertTrue(batches.get() == 12, "all writes acknowledged");

      cli("cluster", "stop", "--dir", cdir.toString());
      cli("cluster", "start", "--dir", cdir.toString(), "--timeout", "180");
      StatusWait.awaitCaughtUp(api, COLLECTION, LEAVES, CATCH_UP);

      assertModel(jdbc, model);
      assertEquals(before, answers(jdbc), "answers over the documents written before the kill");
    } finally {
      CommandLine stop = ConvergeCli.commandLine();
      stop.setOut(new PrintWriter(new StringWriter()));
      stop.execute("cluster", "stop", "--dir", cdir.toString());
    }
  }

  private static synchronized void acknowledged(ClusterHttp.Answer a,
      List<Map<String, Object>> batch, Map<String, Doc> model) {
    assertEquals(batch.size(), a.body().get("written").asInt(), a.body().toString());
    synchronized (model) {
      for (Map<String, Object> d : batch) {
        model.put((String) d.get("_id"), new Doc((Long) d.get("n"), (Long) d.get("v")));
      }
    }
  }

  /** Every document of the model once, with its values; nothing else. */
  private static void assertModel(String jdbc, Map<String, Doc> model) throws SQLException {
    Map<String, Doc> expected;
    synchronized (model) {
      expected = new TreeMap<>(model);
    }
    try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT _id) FROM k")) {
        assertTrue(rs.next());
        assertEquals(expected.size(), rs.getLong(1), "COUNT(*)");
        assertEquals(expected.size(), rs.getLong(2), "COUNT(DISTINCT _id)");
      }
      Map<String, Doc> actual = new TreeMap<>();
      List<String> doubled = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT _id, n, v FROM k")) {
        while (rs.next()) {
          if (actual.put(rs.getString(1), new Doc(rs.getLong(2), rs.getLong(3))) != null) {
            doubled.add(rs.getString(1));
          }
        }
      }
      assertEquals(List.of(), doubled, "documents returned twice");
      List<String> wrong = new ArrayList<>();
      for (Map.Entry<String, Doc> e : expected.entrySet()) {
        if (!e.getValue().equals(actual.get(e.getKey()))) {
          wrong.add(e.getKey() + ": expected " + e.getValue() + ", got " + actual.get(e.getKey()));
        }
      }
      assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())),
          wrong.size() + " documents lost or wrong");
      assertEquals(expected.keySet(), actual.keySet());
      for (String id : List.of("a0", "a49", "a50", "a399", "b0", "b7", "b299")) {
        if (!expected.containsKey(id)) {
          continue;
        }
        try (ResultSet rs = st.executeQuery("SELECT n, v FROM k WHERE _id = '" + id + "'")) {
          assertTrue(rs.next(), id);
          assertEquals(expected.get(id), new Doc(rs.getLong(1), rs.getLong(2)), id);
          assertTrue(!rs.next(), id + " once");
        }
      }
    }
  }

  private static List<List<String>> answers(String jdbc) throws SQLException {
    List<List<String>> all = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement()) {
      for (String sql : AGGREGATES) {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
          ResultSetMetaData md = rs.getMetaData();
          while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= md.getColumnCount(); i++) {
              row.append(rs.getString(i)).append('|');
            }
            rows.add(row.toString());
          }
        }
        all.add(rows);
      }
    }
    return all;
  }

  private static Map<String, Object> doc(String id, long n, long v, long p) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", id);
    d.put("n", n);
    d.put("v", v);
    d.put("p", p);
    d.put("g", "g" + n % 7);
    return d;
  }

  private static void cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = ConvergeCli.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    System.out.println("converge " + String.join(" ", args) + " -> " + exit + "\n" + out + err);
    assertEquals(ConvergeCli.OK, exit, String.join(" ", args) + ": " + out + err);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
