package io.converge.cluster.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.tailer.ClusterTailer;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.tailer.TailSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code converge aggregator --tail TOPIC:COLLECTION} runs a tailer next to the aggregator. */
@Tag("slow")
class AggregatorTailTest {
  @TempDir
  Path tmp;

  @Test
  void anAggregatorWithTailWritesTheTopicIntoTheCollection() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(tmp.resolve("kafka"))) {
      String topic = "ext.clicks";
      broker.createTopic(topic, 1);
      try (KafkaProducer<byte[], byte[]> p = broker.producer()) {
        for (int i = 0; i < 100; i++) {
          p.send(new ProducerRecord<>(topic, null, ("{\"_id\": \"c" + i % 60 + "\", \"i\": " + i
              + "}").getBytes(StandardCharsets.UTF_8)));
        }
        p.flush();
      }
      Path log = tmp.resolve("aggregator.log");
      Process aggregator = ChildProcesses.launch(tmp, "aggregator", "384m", List.of("aggregator",
          "--kafka", broker.bootstrap(), "--port", String.valueOf(ChildProcesses.freePort()),
          "--no-auth", "--partitions", "2", "--tail", topic + ":clicks"), log);
      try (Admin admin = broker.admin()) {
        String group = ClusterTailer.groupId(new TailSpec(topic, "clicks"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (committed(admin, group) < 100) {
          if (System.nanoTime() > deadline || !aggregator.isAlive()) {
            throw new AssertionError("the aggregator's tailer did not commit 100 records; log:\n"
                + ChildProcesses.tail(log, 4000));
          }
          Thread.sleep(200);
        }
        String data = ClusterTopics.dataTopic("clicks");
        Map<TopicPartition, OffsetSpec> latest = Map.of(new TopicPartition(data, 0),
            OffsetSpec.latest(), new TopicPartition(data, 1), OffsetSpec.latest());
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest,
            new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
            .all().get(30, TimeUnit.SECONDS);
        // 100 documents plus one commit marker per partition per transaction: at least 100
        long records = ends.values().stream().mapToLong(ListOffsetsResultInfo::offset).sum();
        assertTrue(records >= 100, "records in " + data + ": " + records);
      } finally {
        aggregator.destroy();
        aggregator.waitFor(30, TimeUnit.SECONDS);
        aggregator.destroyForcibly();
      }
    }
  }

  private static long committed(Admin admin, String group) {
    try {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS).values().stream().filter(o -> o != null)
          .mapToLong(OffsetAndMetadata::offset).sum();
    } catch (Exception e) {
      return 0;
    }
  }
}
