package io.converge.cluster.leaf;

import static io.converge.cluster.leaf.LeafTestKit.await;
import static io.converge.cluster.leaf.LeafTestKit.kv;
import static io.converge.cluster.leaf.LeafTestKit.produce;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.log.ClusterTopics;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.metrics.ConvergeMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf's {@code GET /metrics} against a real Kafka broker: records applied and rejected and the
 * ingest lag per partition, fragments timed and their work (CPU, rows), RocksDB gauges, the JVM;
 * its meters go with it.
 */
@Tag("slow")
class LeafMetricsTest {
  private static final int PARTITIONS = 2;
  private static final String COLLECTION = "metered";
  @TempDir
  static Path kafkaDir;
  static LocalKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = LocalKafkaBroker.start(kafkaDir);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertEquals(200, r.statusCode());
    assertEquals(ConvergeMetrics.TEXT_CONTENT_TYPE,
        r.headers().firstValue("Content-Type").orElse(""));
    return r.body();
  }

  /** The values of the samples of {@code name} whose labels hold every fragment, in order. */
  private static List<Double> values(String body, String name, String... fragments) {
    List<Double> out = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String f : fragments) {
        all &= line.contains(f);
      }
      if (all) {
        out.add(Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim()
            .split(" ")[0]));
      }
    }
    return out;
  }

  /** The value of a sample without labels; fails when there is none. */
  private static double untagged(String body, String name) {
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length()).trim().split(" ")[0]);
      }
    }
    throw new AssertionError("no sample " + name);
  }

  private static double sum(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).sum();
  }

  @Test
  void exposesAppliedRecordsAndLagPerPartitionFragmentsAndStorage(@TempDir Path dir)
      throws Exception {
    String topic = ClusterTopics.dataTopic(COLLECTION);
    LeafTestKit.createDataTopic(broker, topic, PARTITIONS);
    List<String[]> records = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      records.add(kv("m" + i, "{\"amount\": " + i + "}"));
    }
    records.add(kv("bad", "{not json"));
    produce(broker, topic, records);

    LeafNode leaf = LeafNode.start(new LeafOptions(broker.bootstrap(), dir, "gm", "127.0.0.1",
        0, 0));
    String leafTag = "leaf=\"" + leaf.leafId() + "\"";
    String collectionTag = "collection=\"" + COLLECTION + "\"";
    try {
      assertTrue(leaf.metricsPort() > 0);
      await("all records applied", () -> leaf.appliedRecords(COLLECTION) >= records.size());
      String start = scrape(leaf.metricsPort());
      LeafTestKit.run(leaf, COLLECTION, "SELECT COUNT(*) FROM \"metered\"", List.of(0, 1), 1,
          LeafTestKit.mergedFields(COLLECTION, leaf));
      assertThrows(FragmentException.class, () -> LeafTestKit.run(leaf, COLLECTION,
          "SELECT nothing FROM \"metered\"", List.of(0), 1, List.of()));
      // the applier refreshes the partitions' end offsets about every second
      await("the lag of both partitions known", () -> {
        try {
          return values(scrape(leaf.metricsPort()), "converge_leaf_ingest_lag_records",
              leafTag, collectionTag).stream().filter(v -> v == 0.0).count() == PARTITIONS;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });

      String body = scrape(leaf.metricsPort());
      List<Double> applied = values(body, "converge_leaf_applied_records_total", leafTag,
          collectionTag);
      assertEquals(PARTITIONS, applied.size(), "one series per partition");
      assertEquals(records.size(), sum(applied));
      assertEquals(1.0, sum(values(body, "converge_leaf_rejected_records_total", leafTag,
          collectionTag)));
      for (int p = 0; p < PARTITIONS; p++) {
        assertEquals(List.of(1.0), values(body, "converge_leaf_partition_assigned", leafTag,
            collectionTag, "partition=\"" + p + "\""));
      }
      assertEquals(records.size(), sum(values(body, "converge_leaf_applied_offset", leafTag,
          collectionTag)));
      assertTrue(sum(values(body, "converge_query_seconds_count", "request=\"fragment\"",
          "role=\"leaf\"")) >= 2);
      assertTrue(sum(values(body, "converge_leaf_fragment_failures_total",
          "kind=\"INVALID\"")) >= 1);
      // the count fragment: one row per partition, over both shards' 9 documents
      assertEquals(PARTITIONS, untagged(body, "converge_leaf_fragment_rows_total")
          - untagged(start, "converge_leaf_fragment_rows_total"));
      assertEquals(9.0, untagged(body, "converge_leaf_fragment_shard_rows_total")
          - untagged(start, "converge_leaf_fragment_shard_rows_total"));
      assertTrue(untagged(body, "converge_leaf_fragment_cpu_seconds_total")
          > untagged(start, "converge_leaf_fragment_cpu_seconds_total"), "fragment CPU counted");
      String store = "store=\"" + dir.toAbsolutePath().normalize() + "\"";
      List<Double> shardDocuments = values(body, "converge_collection_documents", store,
          "collection=\"metered#");
      assertEquals(PARTITIONS, shardDocuments.size(), "one series per shard");
      assertEquals(9.0, sum(shardDocuments));
      assertEquals(1, values(body, "converge_rocksdb_sst_files_bytes", store).size());
      assertTrue(body.contains("\njvm_memory_used_bytes{"), "JVM metrics");
    } finally {
      leaf.close();
    }
    String after = new String(ConvergeMetrics.scrape(null).body(), StandardCharsets.UTF_8);
    assertFalse(after.contains(leafTag), "a closed leaf's meters are removed");
  }
}
