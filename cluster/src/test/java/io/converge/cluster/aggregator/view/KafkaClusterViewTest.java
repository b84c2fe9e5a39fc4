package io.converge.cluster.aggregator.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.aggregator.ClusterView.MergedSchema;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.LeafEndpoint;
import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.ClusterAdmin;
import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.FieldStats;
import io.converge.cluster.log.LeafAnnouncement;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.storage.schema.FieldType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view against a real broker: announcements written here, liveness from a real consumer
 * group joined here with the leaf's id as {@code group.instance.id}.
 */
@Tag("slow")
class KafkaClusterViewTest {
  private static final String COLLECTION = "orders";
  private static final int PARTITIONS = 4;

  @TempDir
  static Path tmp;

  static LocalKafkaBroker broker;
  static KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  static void startKafka() throws Exception {
    broker = LocalKafkaBroker.start(tmp.resolve("kafka"));
    producer = broker.producer();
    try (Admin admin = broker.admin()) {
      ClusterAdmin.ensureCompactedTopic(admin, ClusterTopics.LEAVES, 1);
    }
    try (CatalogLog catalog = CatalogLog.open(broker.bootstrap())) {
      catalog.create(COLLECTION, PARTITIONS, null);
    }
  }

  @AfterAll
  static void stopKafka() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void routesToTheLiveMemberThatHoldsThePartitionsAndFailsWhenItLeaves() throws Exception {
    String group = "rt";
    try (KafkaClusterView view = KafkaClusterView.open(broker.bootstrap())) {
      KafkaConsumer<byte[], byte[]> member = join(group, "leaf-rt");
      try {
        announce(new LeafAnnouncement("leaf-rt", group, "127.0.0.1", 4001, 11, now(),
            shards(true, 10, fields("x", FieldType.INT))));
        // an announced leaf that is no member of its group: never routed to
        announce(new LeafAnnouncement("leaf-ghost", group, "127.0.0.1", 4002, 12, now(),
            shards(true, 10, fields("x", FieldType.INT))));
        awaitTrue(() -> routes(view, "leaf-rt"), "the view routes every partition to leaf-rt");
        Map<LeafEndpoint, List<Integer>> route = view.route(COLLECTION, List.of(0, 1, 2, 3), null);
        assertEquals(Map.of(new LeafEndpoint("leaf-rt", "127.0.0.1", 4001), List.of(0, 1, 2, 3)),
            route);
        Map<String, Object> status = view.status();
        List<?> leaves = (List<?>) status.get("leaves");
        assertTrue(leaves.toString().contains("id=leaf-ghost"), leaves.toString());
        assertTrue(leaves.toString().contains("alive=false"), leaves.toString());
      } finally {
        member.close(Duration.ofSeconds(5));
      }
      removeMember(group, "leaf-rt");
      awaitTrue(() -> unavailable(view), "the view stops routing to a leaf that left its group");
      FragmentException e = assertThrows(FragmentException.class,
          () -> view.route(COLLECTION, List.of(0, 1, 2, 3), null));
      assertEquals(FragmentException.Kind.UNAVAILABLE, e.kind());
      assertTrue(e.getMessage().contains("[0, 1, 2, 3]"), e.getMessage());
    } finally {
      announceGone("leaf-rt");
      announceGone("leaf-ghost");
    }
  }

  @Test
  void mergesTheShardsSchemasAndVersionsOnlyTheirShape() throws Exception {
    String group = "sc";
    try (KafkaClusterView view = KafkaClusterView.open(broker.bootstrap())) {
      KafkaConsumer<byte[], byte[]> member = join(group, "leaf-sc");
      try {
        List<LeafAnnouncement.Shard> shards = new ArrayList<>();
        shards.add(shard(0, 5, fields("x", FieldType.INT)));
        shards.add(shard(1, 7, fields("y", FieldType.STRING)));
        shards.add(shard(2, 1, fields("x", FieldType.INT)));
        shards.add(shard(3, 2, List.of()));
        announce(new LeafAnnouncement("leaf-sc", group, "127.0.0.1", 4003, 13, now(), shards));
        awaitTrue(() -> view.schema(COLLECTION).documentCount() == 15,
            "the merged schema counts 15 documents");
        MergedSchema first = view.schema(COLLECTION);
        Object firstStamp = view.stamp();
        assertEquals(List.of("x", "y"), first.fields().stream().map(FieldStats::path).toList());
        assertEquals(6, first.fields().get(0).typeCounts()[FieldType.INT.ordinal()]);

        // more documents of the same types: same version, same stamp
        shards.set(3, shard(3, 4, fields("x", FieldType.INT)));
        announce(new LeafAnnouncement("leaf-sc", group, "127.0.0.1", 4003, 13, now(), shards));
        awaitTrue(() -> view.schema(COLLECTION).documentCount() == 17,
            "the merged schema counts 17 documents");
        assertEquals(first.version(), view.schema(COLLECTION).version());
        assertEquals(firstStamp, view.stamp());

        // a new type for x: a new version and a new stamp
        shards.set(2, shard(2, 1, fields("x", FieldType.STRING)));
        announce(new LeafAnnouncement("leaf-sc", group, "127.0.0.1", 4003, 13, now(), shards));
        awaitTrue(() -> view.schema(COLLECTION).version() != first.version(),
            "a type seen for the first time changes the version");
        assertNotEquals(firstStamp, view.stamp());
        assertTrue(view.schema(COLLECTION).fields().get(0)
            .typeCounts()[FieldType.STRING.ordinal()] > 0);
        assertFalse(view.collections().isEmpty());
      } finally {
        member.close(Duration.ofSeconds(5));
        removeMember(group, "leaf-sc");
      }
    } finally {
      announceGone("leaf-sc");
    }
  }

  @Test
  void prefersTheAskedReplicaGroupAndElseSpreadsOverTheReplicas() throws Exception {
    try (KafkaClusterView view = KafkaClusterView.open(broker.bootstrap())) {
      KafkaConsumer<byte[], byte[]> first = join("pa", "leaf-pa");
      KafkaConsumer<byte[], byte[]> second = join("pb", "leaf-pb");
      try {
        announce(new LeafAnnouncement("leaf-pa", "pa", "127.0.0.1", 4011, 21, now(),
            shards(true, 10, fields("x", FieldType.INT))));
        announce(new LeafAnnouncement("leaf-pb", "pb", "127.0.0.1", 4012, 22, now(),
            shards(true, 10, fields("x", FieldType.INT))));
        awaitTrue(() -> routes(view, "leaf-pb", "pb") && routes(view, "leaf-pa", "pa"),
            "both replicas serve every partition");
        Map<LeafEndpoint, List<Integer>> spread = view.route(COLLECTION, List.of(0, 1, 2, 3),
            null);
        assertEquals(2, spread.size(), spread.toString());
        assertEquals(4, spread.values().stream().mapToInt(List::size).sum());
        Map<LeafEndpoint, List<Integer>> unknownGroup = view.route(COLLECTION, List.of(0, 1, 2,
            3), "nowhere");
        assertEquals(spread, unknownGroup);
        // a leaf that just failed a fragment is passed over while its twin holds the partitions
        Map<LeafEndpoint, List<Integer>> pastFailed = view.route(COLLECTION,
            List.of(0, 1, 2, 3), "pa", java.util.Set.of("leaf-pa"));
        assertEquals(List.of("leaf-pb"), pastFailed.keySet().stream()
            .map(LeafEndpoint::leafId).toList());
        assertEquals(4, pastFailed.values().stream().mapToInt(List::size).sum());
        assertEquals(spread, view.route(COLLECTION, List.of(0, 1, 2, 3), null,
            java.util.Set.of("leaf-pa", "leaf-pb")), "no twin left: routed as before");
      } finally {
        first.close(Duration.ofSeconds(5));
        second.close(Duration.ofSeconds(5));
        removeMember("pa", "leaf-pa");
        removeMember("pb", "leaf-pb");
      }
    } finally {
      announceGone("leaf-pa");
      announceGone("leaf-pb");
    }
  }

  private static boolean routes(KafkaClusterView view, String leafId, String group) {
    try {
      return view.route(COLLECTION, List.of(0, 1, 2, 3), group).keySet().stream()
          .allMatch(e -> e.leafId().equals(leafId));
    } catch (FragmentException e) {
      return false;
    }
  }

  private static boolean routes(KafkaClusterView view, String leafId) {
    try {
      return view.route(COLLECTION, List.of(0, 1, 2, 3), null).keySet().stream()
          .allMatch(e -> e.leafId().equals(leafId));
    } catch (FragmentException e) {
      return false;
    }
  }

  private static boolean unavailable(KafkaClusterView view) {
    try {
      view.route(COLLECTION, List.of(0, 1, 2, 3), null);
      return false;
    } catch (FragmentException e) {
      return true;
    }
  }

  /** A consumer of the collection's topic in a replica group, polled until it owns partitions. */
  private static KafkaConsumer<byte[], byte[]> join(String replicaGroup, String leafId)
      throws InterruptedException {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, ClusterTopics.leafGroup(replicaGroup));
    c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, leafId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
    consumer.subscribe(List.of(ClusterTopics.dataTopic(COLLECTION)));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (consumer.assignment().size() < PARTITIONS) {
      consumer.poll(Duration.ofMillis(200));
      if (System.nanoTime() > deadline) {
        consumer.close();
        throw new AssertionError("the consumer got no assignment within 60 s");
      }
    }
    return consumer;
  }

  /** A static member stays until its session times out; an operator may remove it at once. */
  private static void removeMember(String replicaGroup, String leafId) throws Exception {
    try (Admin admin = broker.admin()) {
      admin.removeMembersFromConsumerGroup(ClusterTopics.leafGroup(replicaGroup),
          new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove(leafId))))
          .all().get(30, TimeUnit.SECONDS);
    }
  }

  private static List<LeafAnnouncement.Shard> shards(boolean assigned, long docs,
      List<FieldStats> fields) {
    List<LeafAnnouncement.Shard> out = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      out.add(new LeafAnnouncement.Shard(COLLECTION, p, assigned, docs, docs, docs, fields));
    }
    return out;
  }

  private static LeafAnnouncement.Shard shard(int partition, long docs, List<FieldStats> fields) {
    return new LeafAnnouncement.Shard(COLLECTION, partition, true, docs, docs, docs, fields);
  }

  /** One field whose every document holds one type. */
  private static List<FieldStats> fields(String path, FieldType type) {
    long[] counts = new long[FieldType.values().length];
    counts[type.ordinal()] = 3;
    return List.of(new FieldStats(path, counts, new long[FieldType.values().length]));
  }

  private static void announce(LeafAnnouncement a) throws Exception {
    producer.send(new ProducerRecord<>(ClusterTopics.LEAVES, 0,
        a.leafId().getBytes(StandardCharsets.UTF_8), a.encode())).get(30, TimeUnit.SECONDS);
  }

  private static void announceGone(String leafId) throws Exception {
    producer.send(new ProducerRecord<>(ClusterTopics.LEAVES, 0,
        leafId.getBytes(StandardCharsets.UTF_8), null)).get(30, TimeUnit.SECONDS);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s: " + what);
      }
      Thread.sleep(100);
    }
  }
}
