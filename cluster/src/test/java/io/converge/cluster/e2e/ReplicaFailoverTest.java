package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.converge.cluster.transport.LeafFlightServer;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf that stops answering (its fragment service gone, as after kill -9, while it is still a
 * member of its replica group until its session times out) is passed over for the replica in the
 * other group: every query keeps its whole answer, with no error and no wait for the group to
 * notice.
 */
@Tag("slow")
class ReplicaFailoverTest {
  private static final int PARTITIONS = 4;
  private static final int DOCS = 200;

  @TempDir Path dir;

  @Test
  void queriesGoToTheOtherReplicaWhenALeafStopsAnswering() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start(dir.resolve("cluster"), PARTITIONS)) {
      LeafFlightServer flightA = cluster.addLeafWithFlight("a");
      cluster.addLeaves("b", 1);
      List<Map<String, Object>> docs = new ArrayList<>();
      for (int i = 0; i < DOCS; i++) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("_id", "d" + i);
        d.put("n", i);
        docs.add(d);
      }
      ClusterHttp.post(cluster.apiUrl(), "twins", docs);
      cluster.awaitCaughtUp(Duration.ofMinutes(2));

      // group a first, so that its leaf is asked (and fails) before its twin
      // (in Properties: Avatica's remote driver sends the server only those, CALCITE-4121)
      java.util.Properties props = new java.util.Properties();
      props.setProperty("replicaGroup", "a");
      try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), props);
          Statement st = c.createStatement()) {
        st.setQueryTimeout(60);
        assertEquals(DOCS, count(st));
        flightA.close();
        for (int i = 0; i < 5; i++) {
          assertEquals(DOCS, count(st), "query " + i + " after group a's leaf stopped answering");
          try (ResultSet rs = st.executeQuery("select sum(n) from twins")) {
            rs.next();
            assertEquals((long) DOCS * (DOCS - 1) / 2, rs.getLong(1));
          }
        }
      }
    }
  }

  private static long count(Statement st) throws Exception {
    try (ResultSet rs = st.executeQuery("select count(*) from twins")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
