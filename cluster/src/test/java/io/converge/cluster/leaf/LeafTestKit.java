package io.converge.cluster.leaf;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.RowSink;
import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.FieldStats;
import io.converge.cluster.log.LeafAnnouncement;
import io.converge.kafka.local.LocalKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What the leaf tests share: topics, producing, waiting, running a fragment into a list. */
final class LeafTestKit {
  static final Duration WAIT = Duration.ofSeconds(60);

  private LeafTestKit() {}

  /** A compacted collection topic with {@code partitions} partitions, ready to produce to. */
  static void createDataTopic(LocalKafkaBroker broker, String topic, int partitions)
      throws Exception {
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
          .all().get(30, TimeUnit.SECONDS);
      // a new topic is listed before its partitions have leaders: wait until they answer
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        try {
          admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
    }
  }

  /** Produces and waits for the acknowledgement of each record (null value = tombstone). */
  static void produce(LocalKafkaBroker broker, String topic, List<String[]> keyValues)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> p = broker.producer()) {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (String[] kv : keyValues) {
        acks.add(p.send(new ProducerRecord<>(topic, kv[0].getBytes(StandardCharsets.UTF_8),
            kv[1] == null ? null : kv[1].getBytes(StandardCharsets.UTF_8))));
      }
      for (java.util.concurrent.Future<?> a : acks) {
        a.get(30, TimeUnit.SECONDS);
      }
    }
  }

  static String[] kv(String key, String value) {
    return new String[] {key, value};
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  /** The merged field statistics of a collection over the shards these leaves announce. */
  static List<FieldStats> mergedFields(String collection, LeafNode... leaves) {
    List<List<FieldStats>> all = new ArrayList<>();
    for (LeafNode leaf : leaves) {
      for (LeafAnnouncement.Shard s : leaf.announcement().shards()) {
        if (s.collection().equals(collection) && s.assigned()) {
          all.add(s.fields());
        }
      }
    }
    return FieldStats.merge(all);
  }

  /** A fragment's columns and rows (copied). */
  record Answer(List<FragmentColumn> columns, List<Object[]> rows) {}

  static Answer run(LeafNode leaf, String collection, String sql, List<Integer> partitions,
      long schemaVersion, List<FieldStats> fields) throws FragmentException {
    List<FragmentColumn> cols = new ArrayList<>();
    List<Object[]> rows = new ArrayList<>();
    leaf.executor().execute(new FragmentRequest("q", collection, sql, partitions, schemaVersion,
        fields, System.currentTimeMillis() + 30_000), new RowSink() {
          @Override
          public void columns(List<FragmentColumn> columns) {
            cols.addAll(columns);
          }

          @Override
          public boolean row(Object[] values) {
            rows.add(values.clone());
            return true;
          }
        });
    return new Answer(cols, rows);
  }

  /**
   * Reads the leaves topic until the latest record of {@code leafId} satisfies {@code test}
   * (null value = retracted); returns that announcement, or fails after the wait.
   */
  static LeafAnnouncement lastAnnouncement(LocalKafkaBroker broker, String leafId,
      java.util.function.Predicate<LeafAnnouncement> test) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    TopicPartition tp = new TopicPartition(ClusterTopics.LEAVES, 0);
    Map<String, LeafAnnouncement> latest = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          String key = new String(r.key(), StandardCharsets.UTF_8);
          latest.put(key, r.value() == null ? null : LeafAnnouncement.decode(r.value()));
        }
        if (latest.containsKey(leafId) && test.test(latest.get(leafId))) {
          return latest.get(leafId);
        }
      }
    }
    throw new AssertionError("no announcement of " + leafId + " as expected: "
        + latest.get(leafId));
  }
}
