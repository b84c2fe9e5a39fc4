package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.leaf.LeafApplying;
import io.converge.cluster.leaf.LeafNode;
import io.converge.cluster.transport.LeafFlightServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session never reads older data than it read before, even when its reads move to a replica
 * behind the one that answered them: group b's leaf holds its applying while group a's leaf
 * applies new documents and answers a session; then a's leaf stops answering, and the session's
 * next reads, served by b, wait until b has applied what a's answer held. A session with
 * {@code monotonicReads=false} is answered by b at once, from older data.
 */
@Tag("slow")
class MonotonicReadsTest {
  private static final int PARTITIONS = 4;
  private static final int SEED = 100;
  private static final int MORE = 100;
  private static final String C = "mono";
  /** How long b stays behind once the session's read went to it. */
  private static final long BEHIND_MILLIS = 2_000;

  @TempDir Path dir;

  @Test
  void aSessionDoesNotGoBackInTimeWhenItsReadsMoveToAReplicaBehind() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start(dir.resolve("cluster"), PARTITIONS)) {
      LeafFlightServer flightA = cluster.addLeafWithFlight("a");
      cluster.addLeaves("b", 1);
      LeafNode behind = cluster.leaves().get(1);
      ClusterHttp.post(cluster.apiUrl(), C, docs("s", SEED));
      cluster.awaitCaughtUp(Duration.ofMinutes(2));

      LeafApplying.hold(behind, Duration.ofSeconds(30));
      ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
      // properties, not URL parameters: the remote driver sends the server these alone
      Properties monoProps = new Properties();
      monoProps.setProperty("replicaGroup", "a");
      monoProps.setProperty("readWaitMs", "20000");
      Properties plainProps = new Properties();
      plainProps.setProperty("replicaGroup", "a");
      plainProps.setProperty("monotonicReads", "false");
      try (Connection mono = DriverManager.getConnection(cluster.jdbcUrl(), monoProps);
          Connection plain = DriverManager.getConnection(cluster.jdbcUrl(), plainProps);
          Statement monoSt = mono.createStatement();
          Statement plainSt = plain.createStatement()) {
        monoSt.setQueryTimeout(60);
        plainSt.setQueryTimeout(60);
        ClusterHttp.post(cluster.apiUrl(), C, docs("m", MORE));
        // both sessions are answered by a once it applied the new documents (b holds them back)
        awaitCount(monoSt, SEED + MORE);
        awaitCount(plainSt, SEED + MORE);

        flightA.close();
        // from now on b answers: without monotonic reads, from the older data it holds
        assertEquals(SEED, count(plainSt), "b answers at once from what it holds");

        later.schedule(() -> LeafApplying.resume(behind), BEHIND_MILLIS, TimeUnit.MILLISECONDS);
        // the monotonic session's reads wait for b to hold what a answered: an _id lookup
        // (its partition alone), then the whole collection
        try (ResultSet rs = monoSt.executeQuery("SELECT n FROM " + C + " WHERE _id = 'm"
            + (MORE - 1) + "'")) {
          assertTrue(rs.next(), "the last document a answered with is read from b");
          assertEquals(MORE - 1, rs.getLong(1));
        }
        assertEquals(SEED + MORE, count(monoSt), "b answers no older than a did");
      } finally {
        later.shutdownNow();
        LeafApplying.resume(behind);
      }
    }
  }

  private static List<Map<String, Object>> docs(String prefix, int n) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Map.of("_id", prefix + i, "n", i));
    }
    return out;
  }

  /** Reads until the count is {@code want} (a applies within moments), within 30 s. */
  private static void awaitCount(Statement st, long want) throws Exception {
    long got = -1;
    for (int i = 0; i < 300; i++) {
      got = count(st);
      if (got == want) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("count " + got + ", expected " + want);
  }

  private static long count(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + C)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }
}
