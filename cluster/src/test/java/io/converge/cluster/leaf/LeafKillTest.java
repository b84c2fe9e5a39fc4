package io.converge.cluster.leaf;

import static io.converge.cluster.leaf.LeafTestKit.await;
import static io.converge.cluster.leaf.LeafTestKit.mergedFields;
import static io.converge.cluster.leaf.LeafTestKit.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.LeafAnnouncement;
import io.converge.kafka.local.LocalKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf process killed with SIGKILL while records arrive, restarted on its directory: every
 * document ends at its latest version, none lost, none missing, each shard caught up.
 */
@Tag("slow")
class LeafKillTest {
  private static final int PARTITIONS = 4;
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

  @Test
  void aKilledLeafResumesFromItsStoredOffsets(@TempDir Path dir) throws Exception {
    String collection = "ticks";
    String topic = ClusterTopics.dataTopic(collection);
    LeafTestKit.createDataTopic(broker, topic, PARTITIONS);
    Map<String, Long> expected = new TreeMap<>();
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
        System.getProperty("java.class.path"), LeafProcessMain.class.getName(),
        broker.bootstrap(), dir.toString(), "gk")
        .redirectErrorStream(true).redirectOutput(dir.resolveSibling(dir.getFileName() + ".log")
            .toFile()).start();
    try (KafkaProducer<byte[], byte[]> p = broker.producer()) {
      send(p, topic, 0, expected);
      await("the leaf process started", () -> Files.exists(dir.resolve(LeafId.FILE)));
      String leafId = Files.readString(dir.resolve(LeafId.FILE)).trim();
      LeafTestKit.lastAnnouncement(broker, leafId, a -> a != null && a.shards().stream()
          .anyMatch(s -> s.collection().equals(collection) && s.documents() > 0));
      // keep producing while the process applies, kill it mid-stream, keep producing
      for (int round = 1; round < 30; round++) {
        send(p, topic, round, expected);
        if (round == 15) {
          child.destroyForcibly();
          child.waitFor(30, TimeUnit.SECONDS);
        }
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    LeafNode leaf = LeafNode.start(new LeafOptions(broker.bootstrap(), dir, "gk", "127.0.0.1",
        0));
    try {
      await("caught up after the restart", () -> {
        List<LeafAnnouncement.Shard> shards = leaf.announcement().shards().stream()
            .filter(s -> s.collection().equals(collection) && s.assigned()).toList();
        return shards.size() == PARTITIONS
            && shards.stream().allMatch(s -> s.endOffset() >= 0 && s.nextOffset() == s.endOffset()
                && s.documents() > 0)
            && shards.stream().mapToLong(LeafAnnouncement.Shard::documents).sum()
                == expected.size();
      });
      Map<String, Long> actual = new TreeMap<>();
      for (Object[] r : run(leaf, collection, "SELECT _id, v FROM \"ticks\"", List.of(0, 1, 2, 3),
          1, mergedFields(collection, leaf)).rows()) {
        actual.put((String) r[0], (Long) r[1]);
      }
      assertEquals(expected, actual);
    } finally {
      leaf.close();
    }
  }

  /** One round: 50 keys, each set to a value naming the round. */
  private static void send(KafkaProducer<byte[], byte[]> p, String topic, int round,
      Map<String, Long> expected) throws Exception {
    List<Future<?>> acks = new ArrayList<>();
    for (int k = 0; k < 50; k++) {
      String id = "k" + (k + round * 7) % 120;
      long v = round * 1000L + k;
      expected.put(id, v);
      acks.add(p.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
          ("{\"v\": " + v + "}").getBytes(StandardCharsets.UTF_8))));
    }
    for (Future<?> a : acks) {
      a.get(30, TimeUnit.SECONDS);
    }
  }
}
