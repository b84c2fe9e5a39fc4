package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.converge.cluster.aggregator.AggregatorNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * Two aggregators serve one cluster: either answers the same queries and takes writes, and a
 * client of Converge's driver naming both connects to the one still running after the other is
 * gone.
 */
@Tag("slow")
class TwoAggregatorsTest {
  private static final int PARTITIONS = 4;

  @TempDir Path dir;

  @Test
  void eitherAggregatorServesAndNewConnectionsGoToTheLiveOne() throws Exception {
    Class.forName("io.converge.jdbc.ConvergeDriver");
    try (InProcessCluster cluster = InProcessCluster.start(dir.resolve("cluster"), PARTITIONS)) {
      cluster.addLeaves("g0", 1);
      AggregatorNode second = cluster.addAggregator();
      List<Map<String, Object>> docs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("_id", "d" + i);
        d.put("n", i);
        docs.add(d);
      }
      assertEquals(200, ClusterHttp.post(cluster.apiUrl(), "pair", docs).status());
      cluster.awaitCaughtUp(Duration.ofMinutes(2));
      String failover = "jdbc:converge:remote:url=" + cluster.apiUrl() + "," + second.baseUrl()
          + ";serialization=protobuf";

      try (Connection first = DriverManager.getConnection(failover);
          Connection direct = DriverManager.getConnection(second.jdbcUrl())) {
        assertEquals(100, count(first));
        assertEquals(100, count(direct), "the second aggregator sees the same cluster");
        cluster.aggregator().close(); // the first goes away
        SQLException gone = assertThrows(SQLException.class, () -> count(first));
        assertEquals("08006", gone.getSQLState(), "its connection is broken: " + gone);
        try (Connection again = DriverManager.getConnection(failover)) {
          assertEquals(100, count(again), "a new connection goes to the live aggregator");
          assertEquals(200, ClusterHttp.post(second.baseUrl(), "pair", List.of(
              Map.of("_id", "d100", "n", 100))).status());
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          long n = count(again);
          while (n != 101 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            n = count(again);
          }
          assertEquals(101, n, "a write through the second aggregator is read through it");
        }
      }
      SQLException none = assertThrows(SQLException.class, () -> DriverManager.getConnection(
          "jdbc:converge:remote:url=" + cluster.apiUrl() + "," + cluster.apiUrl()
              + ";serialization=protobuf"));
      assertEquals("08001", none.getSQLState(), none.getMessage());
    }
  }

  private static long count(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from pair")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
