package io.converge.cluster.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.tailer.ClusterTailer;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.tailer.TailSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code converge tailer} process killed with SIGKILL while records stream in, then started
 * again: every record of the external topic is in the collection's topic exactly once.
 */
@Tag("slow")
class TailerKillTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** Records produced after the kill, to be read by the restarted tailer. */
  private static final int AFTER_KILL = 2000;
  private static final int MAX = 500_000;

  @TempDir
  Path tmp;

  @Test
  void aTailerKilledMidStreamAndRestartedWritesEachRecordOnce() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(tmp.resolve("kafka"))) {
      String topic = "ext.stream";
      String collection = "stream";
      broker.createTopic(topic, 2);
      TailSpec spec = new TailSpec(topic, collection);
      List<String> args = List.of("tailer", "--kafka", broker.bootstrap(), "--tail",
          topic + ":" + collection, "--partitions", "3");
      AtomicLong produced = new AtomicLong();
      AtomicLong killedAt = new AtomicLong(-1);
      Thread producer = new Thread(() -> produce(broker, topic, produced, killedAt),
          "test-producer");
      producer.start();
      Process first = ChildProcesses.launch(tmp, "tailer", "256m", args, tmp.resolve("t1.log"));
      Process second = null;
      try (Admin admin = broker.admin()) {
        LongSupplier committed = () -> committed(admin, ClusterTailer.groupId(spec));
        await("some records tailed", () -> committed.getAsLong() >= 1000, tmp.resolve("t1.log"));
        first.destroyForcibly(); // SIGKILL: whatever transaction was open is left open
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        killedAt.set(produced.get()); // records stream in before and after the kill
        second = ChildProcesses.launch(tmp, "tailer", "256m", args, tmp.resolve("t2.log"));
        producer.join(WAIT.toMillis());
        assertTrue(!producer.isAlive() && produced.get() >= killedAt.get() + AFTER_KILL);
        long total = produced.get();
        await("all records tailed", () -> committed.getAsLong() == total, tmp.resolve("t2.log"));
      } finally {
        producer.interrupt();
        first.destroyForcibly();
        if (second != null) {
          second.destroy();
          second.waitFor(30, TimeUnit.SECONDS);
          second.destroyForcibly();
        }
      }
      List<ConsumerRecord<byte[], byte[]>> data = readCommitted(broker,
          ClusterTopics.dataTopic(collection));
      Set<String> ids = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> r : data) {
        ids.add(new String(r.key(), StandardCharsets.UTF_8));
      }
      assertEquals(produced.get(), ids.size(), "nothing lost");
      assertEquals(produced.get(), data.size(), "nothing twice");
    }
  }

  /**
   * Produces documents with distinct ids in small, paced batches until {@link #AFTER_KILL} more
   * than {@code killedAt} (set once the tailer is killed).
   */
  private static void produce(LocalKafkaBroker broker, String topic, AtomicLong produced,
      AtomicLong killedAt) {
    try (KafkaProducer<byte[], byte[]> p = broker.producer()) {
      for (int i = 0; i < MAX; i++) {
        long k = killedAt.get();
        if (k >= 0 && produced.get() >= k + AFTER_KILL) {
          return;
        }
        String id = "s" + i;
        p.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
            ("{\"_id\": \"" + id + "\", \"n\": " + i + "}").getBytes(StandardCharsets.UTF_8)));
        if (i % 100 == 99) {
          p.flush(); // every record acknowledged (the producer retries, idempotent)
          produced.set(i + 1);
          Thread.sleep(20);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long committed(Admin admin, String group) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset)
          .sum();
    } catch (Exception e) {
      return 0;
    }
  }

  private static void await(String what, java.util.function.BooleanSupplier condition, Path log)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; tailer log:\n"
            + ChildProcesses.tail(log, 4000));
      }
      Thread.sleep(100);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(LocalKafkaBroker broker,
      String topic) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> parts = new ArrayList<>();
      consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out reading " + topic);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
