package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.converge.cluster.aggregator.AggregatorNode;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-then-read pairs across two aggregators and two replica groups: each document is written
 * over HTTP through one aggregator, and read at once through the other, by a session of one
 * replica group or the other (alternating), given the write's fence with {@code SET fence}; every
 * read sees its write, with no sleep and no retry. {@code -Dconverge.test.pairs=10000} for the
 * full count (CI runs 200), {@code -Dconverge.test.pairs.threads=N} pairs at once (2).
 */
@Tag("slow")
class WriteThenReadPairsTest {
  private static final int PARTITIONS = 4;
  private static final int PAIRS = Integer.getInteger("converge.test.pairs", 200);
  /** Writers-then-readers working at once, each over its own documents. */
  private static final int THREADS = Integer.getInteger("converge.test.pairs.threads", 2);

  @TempDir Path dir;

  @Test
  void everyReadThroughTheOtherAggregatorSeesItsWrite() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start(dir.resolve("cluster"), PARTITIONS)) {
      cluster.addLeaves("a", 1);
      cluster.addLeaves("b", 1);
      AggregatorNode second = cluster.addAggregator();
      ClusterHttp.post(cluster.apiUrl(), "pairs", List.of(Map.of("_id", "seed", "v", -1)));
      cluster.awaitCaughtUp(Duration.ofMinutes(2));
      String[] apis = {cluster.apiUrl(), second.baseUrl()};
      String[] jdbc = {cluster.jdbcUrl(), second.jdbcUrl()};
      List<String> missed = java.util.Collections.synchronizedList(new ArrayList<>());
      long started = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int worker = t;
          workers.add(pool.submit(() -> {
            pairs(worker, apis, jdbc, missed);
            return null;
          }));
        }
        for (Future<?> f : workers) {
          f.get(30, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      System.out.printf("%d write-then-read pairs (%d threads) in %.1f s, %d missed%n", PAIRS,
          THREADS, (System.nanoTime() - started) / 1e9, missed.size());
      assertEquals(List.of(), missed.subList(0, Math.min(10, missed.size())),
          missed.size() + " of " + PAIRS + " reads missed their write");
    }
  }

  /** One worker's share of the pairs, over its own documents and its own four sessions. */
  private static void pairs(int worker, String[] apis, String[] jdbc, List<String> missed)
      throws Exception {
    List<Connection> readers = new ArrayList<>();
    try {
      // readers[aggregator * 2 + group]
      for (String url : jdbc) {
        for (String group : new String[] {"a", "b"}) {
          Properties p = new Properties();
          p.setProperty("replicaGroup", group);
          readers.add(DriverManager.getConnection(url, p));
        }
      }
      for (int i = worker; i < PAIRS; i += THREADS) {
        int writeVia = i % 2;
        int readVia = 1 - writeVia;
        Connection reader = readers.get(readVia * 2 + (i / 2) % 2);
        // documents are rewritten: the read must see this version
        String id = "p" + worker + "-" + (i % 100);
        ClusterHttp.Answer a = ClusterHttp.post(apis[writeVia], "pairs",
            List.of(Map.of("_id", id, "v", i)));
        long v = read(reader, "{\"pairs\": " + a.body().get("fence") + "}", id);
        if (v != i) {
          missed.add(id + " read " + v + " after writing " + i + " (written via aggregator "
              + writeVia + ", read via " + readVia + ")");
        }
      }
    } finally {
      for (Connection c : readers) {
        c.close();
      }
    }
  }

  private static long read(Connection c, String fence, String id) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeUpdate("SET fence = '" + fence + "'");
    }
    try (PreparedStatement ps = c.prepareStatement("select v from pairs where _id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }
}
