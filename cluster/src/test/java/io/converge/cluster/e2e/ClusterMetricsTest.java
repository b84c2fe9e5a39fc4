package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.leaf.LeafNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An aggregator's {@code GET /metrics} after writes and a query through it: documents ingested
 * (acknowledged by Kafka), its query latency under {@code role="aggregator"} and the fragment
 * latency per leaf.
 */
@Tag("slow")
class ClusterMetricsTest {
  private static final int PARTITIONS = 2;

  /** The sum of the samples of {@code name} whose labels hold every fragment. */
  private static double sum(String body, String name, String... fragments) {
    double sum = 0;
    int found = 0;
    for (String line : body.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String f : fragments) {
        all &= line.contains(f);
      }
      if (all) {
        found++;
        sum += Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim()
            .split(" ")[0]);
      }
    }
    assertTrue(found > 0, "no sample " + name + " " + List.of(fragments));
    return sum;
  }

  @Test
  void anAggregatorCountsWritesQueriesAndFragmentsPerLeaf(@TempDir Path dir) throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start(dir, PARTITIONS)) {
      cluster.addLeaves("g0", 1);
      List<Map<String, Object>> docs = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        docs.add(Map.of("_id", "m" + i, "n", i));
      }
      assertEquals(200, ClusterHttp.post(cluster.apiUrl(), "gauged", docs).status());
      cluster.awaitCaughtUp(Duration.ofMinutes(1));
      try (Connection c = DriverManager.getConnection(cluster.jdbcUrl());
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("select count(*) from gauged")) {
          assertTrue(rs.next());
          assertEquals(7, rs.getLong(1));
        }
        assertEquals(2, s.executeUpdate("delete from gauged where n < 2"));
      }

      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(cluster.apiUrl() + "/metrics")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      String body = r.body();
      assertEquals(7.0, sum(body, "converge_documents_ingested_total",
          "collection=\"gauged\"", "source=\"http\""));
      assertEquals(2.0, sum(body, "converge_documents_ingested_total",
          "collection=\"gauged\"", "source=\"sql\""));
      assertTrue(sum(body, "converge_query_seconds_count", "role=\"aggregator\"",
          "request=\"prepare_and_execute\"") >= 1);
      LeafNode leaf = cluster.leaves().get(0);
      assertTrue(sum(body, "converge_fragment_seconds_count",
          "leaf=\"" + leaf.leafId() + "\"") >= 1);
      assertTrue(sum(body, "converge_query_seconds_count", "role=\"leaf\"",
          "request=\"fragment\"") >= 1, "the leaf in this JVM timed its fragments");
      assertTrue(body.contains("\nconverge_fragment_retries_total "), "retries are counted");
    }
  }
}
