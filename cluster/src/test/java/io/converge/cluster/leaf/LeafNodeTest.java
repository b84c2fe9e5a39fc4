package io.converge.cluster.leaf;

import static io.converge.cluster.leaf.LeafTestKit.await;
import static io.converge.cluster.leaf.LeafTestKit.kv;
import static io.converge.cluster.leaf.LeafTestKit.mergedFields;
import static io.converge.cluster.leaf.LeafTestKit.produce;
import static io.converge.cluster.leaf.LeafTestKit.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentType;
import io.converge.cluster.leaf.LeafTestKit.Answer;
import io.converge.cluster.log.ClusterAdmin;
import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.FieldStats;
import io.converge.cluster.log.LeafAnnouncement;
import io.converge.cluster.log.CatalogEntry;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.storage.schema.DeclaredColumn;
import io.converge.storage.schema.DeclaredSchema;
import io.converge.storage.schema.DeclaredType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf against a real Kafka broker: applying a collection topic (upserts, an update, a delete,
 * a malformed record), answering fragments per partition, resuming after a restart with nothing
 * doubled or lost, announcing itself, and two leaves of one replica group splitting the partitions.
 */
@Tag("slow")
class LeafNodeTest {
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

  private static LeafOptions options(Path dir, String group) {
    return new LeafOptions(broker.bootstrap(), dir, group, "127.0.0.1", 0);
  }

  private static List<Integer> all(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  private static long sumOfCounts(Answer a) {
    long n = 0;
    for (Object[] r : a.rows()) {
      n += (Long) r[0];
    }
    return n;
  }

  @Test
  void appliesTheLogAnswersFragmentsAndResumesAfterARestart(@TempDir Path dir) throws Exception {
    String collection = "orders";
    String topic = ClusterTopics.dataTopic(collection);
    LeafTestKit.createDataTopic(broker, topic, PARTITIONS);
    List<String[]> records = new ArrayList<>();
    Map<String, long[]> expected = new TreeMap<>(); // id -> {amount, open?1:0}
    for (int i = 0; i < 20; i++) {
      String id = String.format("d%02d", i);
      boolean open = i % 2 == 0;
      String note = i == 5 ? ", \"note\": \"only here\"" : "";
      records.add(kv(id, "{\"status\": \"" + (open ? "open" : "closed") + "\", \"amount\": " + i
          + note + "}"));
      expected.put(id, new long[] {i, open ? 1 : 0});
    }
    records.add(kv("d02", "{\"status\": \"closed\", \"amount\": 100}")); // an update
    expected.put("d02", new long[] {100, 0});
    records.add(kv("d03", null)); // a delete
    expected.remove("d03");
    records.add(kv("bad", "{not json")); // skipped, its offset still advances
    produce(broker, topic, records);

    LeafNode leaf = LeafNode.start(options(dir, "g1"));
    String leafId;
    long countBefore;
    try {
      leafId = leaf.leafId();
      assertTrue(leafId.startsWith("leaf-g1-"), leafId);
      assertEquals(leafId, Files.readString(dir.resolve("leaf.id")).trim());
      await("all records applied", () -> leaf.appliedRecords(collection) >= records.size());
      assertEquals(PARTITIONS, leaf.assignedPartitions(collection).size());
      assertEquals(1, leaf.malformedRecords(collection));
      List<FieldStats> fields = mergedFields(collection, leaf);

      Answer count = run(leaf, collection, "SELECT COUNT(*) AS n FROM \"orders\"", all(PARTITIONS),
          1, fields);
      assertEquals(List.of(new FragmentColumn("n", FragmentType.BIGINT, null)), count.columns());
      assertEquals(PARTITIONS, count.rows().size(), "one row per partition");
      assertEquals(expected.size(), sumOfCounts(count));
      countBefore = sumOfCounts(count);

      Answer open = run(leaf, collection,
          "SELECT _id, amount FROM \"orders\" WHERE status = 'open'", all(PARTITIONS), 1, fields);
      assertEquals(FragmentType.VARCHAR, open.columns().get(0).type());
      assertEquals(FragmentType.BIGINT, open.columns().get(1).type());
      Map<String, Long> openIds = new TreeMap<>();
      for (Object[] r : open.rows()) {
        openIds.put((String) r[0], (Long) r[1]);
      }
      Map<String, Long> expectedOpen = new TreeMap<>();
      expected.forEach((id, v) -> {
        if (v[1] == 1) {
          expectedOpen.put(id, v[0]);
        }
      });
      assertEquals(expectedOpen, openIds);

      Answer groups = run(leaf, collection, "SELECT status, COUNT(*) AS c, SUM(amount) AS s "
          + "FROM \"orders\" GROUP BY status", all(PARTITIONS), 1, fields);
      Map<String, long[]> merged = new TreeMap<>();
      for (Object[] r : groups.rows()) {
        long[] m = merged.computeIfAbsent((String) r[0], k -> new long[2]);
        m[0] += (Long) r[1];
        m[1] += ((Number) r[2]).longValue();
      }
      Map<String, long[]> expectedGroups = new TreeMap<>();
      expected.forEach((id, v) -> {
        long[] m = expectedGroups.computeIfAbsent(v[1] == 1 ? "open" : "closed", k -> new long[2]);
        m[0]++;
        m[1] += v[0];
      });
      assertEquals(expectedGroups.keySet(), merged.keySet());
      expectedGroups.forEach((k, v) -> assertEquals(List.of(v[0], v[1]),
          List.of(merged.get(k)[0], merged.get(k)[1]), k));

      // "note" is in one shard only, yet a column of every shard (null where absent)
      Answer notes = run(leaf, collection, "SELECT _id, note FROM \"orders\"", all(PARTITIONS), 1,
          fields);
      assertEquals(expected.size(), notes.rows().size());
      for (Object[] r : notes.rows()) {
        assertEquals("d05".equals(r[0]) ? "only here" : null, r[1], String.valueOf(r[0]));
      }

      FragmentException bad = assertThrows(FragmentException.class, () -> run(leaf, collection,
          "SELECT no_such_column FROM \"orders\"", List.of(0), 1, fields));
      assertEquals(FragmentException.Kind.INVALID, bad.getMessage() == null ? null : bad.kind());
      assertTrue(!bad.getMessage().contains("\n"), bad.getMessage());
      FragmentException missing = assertThrows(FragmentException.class, () -> run(leaf,
          collection, "SELECT COUNT(*) FROM \"orders\"", List.of(0, PARTITIONS + 1), 1, fields));
      assertEquals(FragmentException.Kind.UNAVAILABLE, missing.kind());
      assertTrue(missing.getMessage().contains(String.valueOf(PARTITIONS + 1)),
          missing.getMessage());

      // the leaf also holds the other tests' collections: look at this one's shards
      LeafAnnouncement announced = LeafTestKit.lastAnnouncement(broker, leafId, a -> a != null
          && shardsOf(a, collection).stream().filter(LeafAnnouncement.Shard::assigned).count()
              == PARTITIONS
          && shardsOf(a, collection).stream().mapToLong(LeafAnnouncement.Shard::documents).sum()
              == expected.size()
          && shardsOf(a, collection).stream().allMatch(s -> s.endOffset() == s.nextOffset()));
      assertNotNull(announced);
      assertEquals("g1", announced.replicaGroup());
      assertEquals(ProcessHandle.current().pid(), announced.pid());
      for (LeafAnnouncement.Shard s : shardsOf(announced, collection)) {
        assertEquals(s.endOffset(), s.nextOffset(), "caught up: " + s);
      }
    } finally {
      leaf.close();
    }
    assertTrue(leaf.awaitStopped(Duration.ofSeconds(1)));
    assertNull(LeafTestKit.lastAnnouncement(broker, leafId, a -> a == null), "a clean stop retracts the announcement");

    // restart on the same directory: same id, stored offsets, nothing applied twice
    LeafNode again = LeafNode.start(options(dir, "g1"));
    try {
      assertEquals(leafId, again.leafId());
      await("partitions assigned again",
          () -> again.assignedPartitions(collection).size() == PARTITIONS);
      List<FieldStats> fields = mergedFields(collection, again);
      assertEquals(countBefore, sumOfCounts(run(again, collection,
          "SELECT COUNT(*) FROM \"orders\"", all(PARTITIONS), 2, fields)));
      produce(broker, topic, List.of(kv("n1", "{\"status\": \"open\", \"amount\": 1}"),
          kv("n2", "{\"status\": \"open\", \"amount\": 2}"),
          kv("d00", "{\"status\": \"closed\", \"amount\": 7}")));
      await("new records applied", () -> again.appliedRecords(collection) >= 3);
      assertEquals(3, again.appliedRecords(collection), "only the new records are applied");
      fields = mergedFields(collection, again);
      assertEquals(countBefore + 2, sumOfCounts(run(again, collection,
          "SELECT COUNT(*) FROM \"orders\"", all(PARTITIONS), 3, fields)));
      assertEquals(List.of(7L), run(again, collection,
          "SELECT amount FROM \"orders\" WHERE _id = 'd00'", all(PARTITIONS), 3, fields)
          .rows().stream().map(r -> r[0]).toList());
    } finally {
      again.close();
    }
  }

  @Test
  void aShardWrittenByTransactionsHoldsItsPartitionToTheEndPastTheMarkers(@TempDir Path dir)
      throws Exception {
    String collection = "txns";
    String topic = ClusterTopics.dataTopic(collection);
    LeafTestKit.createDataTopic(broker, topic, 1);
    java.util.Properties config = new java.util.Properties();
    config.put("bootstrap.servers", broker.bootstrap());
    config.put("transactional.id", "leaf-node-test-txns");
    config.put("key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class
        .getName());
    config.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer
        .class.getName());
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(config)) {
      p.initTransactions();
      for (int t = 0; t < 2; t++) { // records at 0-2 and 4-6, commit markers at 3 and 7
        p.beginTransaction();
        for (int i = 0; i < 3; i++) {
          p.send(new ProducerRecord<>(topic, ("t" + t + i).getBytes(StandardCharsets.UTF_8),
              "{\"n\": 1}".getBytes(StandardCharsets.UTF_8)));
        }
        p.commitTransaction();
      }
    }
    LeafNode leaf = LeafNode.start(options(dir, "gt"));
    try {
      await("the six records applied", () -> leaf.appliedRecords(collection) >= 6);
      // the log ends with a marker (offset 7): a shard at offset 7 would count as one behind
      await("the shard past the last marker", () -> leaf.announcement().shards().stream()
          .anyMatch(sh -> sh.collection().equals(collection) && sh.nextOffset() == 8
              && sh.endOffset() == 8));
      assertTrue(caughtUp(leaf, collection));
    } finally {
      leaf.close();
    }
  }

  @Test
  void twoLeavesOfAGroupSplitThePartitions(@TempDir Path dirA, @TempDir Path dirB)
      throws Exception {
    String collection = "events";
    String topic = ClusterTopics.dataTopic(collection);
    int partitions = 8;
    LeafTestKit.createDataTopic(broker, topic, partitions);
    List<String[]> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(kv("e" + i, "{\"n\": " + i + "}"));
    }
    produce(broker, topic, records);
    LeafNode a = LeafNode.start(options(dirA, "g2"));
    LeafNode b = null;
    try {
      b = LeafNode.start(options(dirB, "g2"));
      LeafNode bb = b;
      await("the partitions split between both leaves", () -> {
        List<Integer> pa = a.assignedPartitions(collection);
        List<Integer> pb = bb.assignedPartitions(collection);
        return !pa.isEmpty() && !pb.isEmpty() && pa.size() + pb.size() == partitions;
      });
      List<Integer> pa = a.assignedPartitions(collection);
      List<Integer> pb = b.assignedPartitions(collection);
      TreeSet<Integer> union = new TreeSet<>(pa);
      union.addAll(pb);
      assertEquals(new TreeSet<>(all(partitions)), union, pa + " " + pb);
      await("both caught up", () -> caughtUp(a, collection) && caughtUp(bb, collection));
      List<FieldStats> fields = mergedFields(collection, a, b);
      long total = sumOfCounts(run(a, collection, "SELECT COUNT(*) FROM \"events\"", pa, 1,
          fields)) + sumOfCounts(run(b, collection, "SELECT COUNT(*) FROM \"events\"", pb, 1,
          fields));
      assertEquals(40, total);
      // a hands b's partitions over: it serves them until b does, then for a short grace
      await("a let go of b's partitions", () -> a.announcement().shards().stream()
          .noneMatch(LeafAnnouncement.Shard::handingOff));
      Thread.sleep(PartitionHandoff.RELEASE_GRACE_MILLIS + 500);
      FragmentException refused = assertThrows(FragmentException.class, () -> run(a, collection,
          "SELECT COUNT(*) FROM \"events\"", List.of(pb.get(0)), 1, fields));
      assertEquals(FragmentException.Kind.UNAVAILABLE, refused.kind());
      assertTrue(refused.getMessage().contains(String.valueOf(pb.get(0))), refused.getMessage());
    } finally {
      a.close();
      if (b != null) {
        b.close();
      }
    }
  }

  @Test
  void aCreateTableCollectionGetsItsDeclaredSchema(@TempDir Path dir) throws Exception {
    String collection = "accounts";
    String topic = ClusterTopics.dataTopic(collection);
    ClusterTopicSetup.ensure(broker.bootstrap());
    try (org.apache.kafka.clients.admin.Admin admin = ClusterAdmin.admin(broker.bootstrap())) {
      ClusterAdmin.ensureCompactedTopic(admin, ClusterTopics.CATALOG, 1);
    }
    DeclaredSchema declared = new DeclaredSchema(List.of(
        new DeclaredColumn("id", DeclaredType.VARCHAR, 10, -1, false),
        new DeclaredColumn("balance", DeclaredType.DECIMAL, 10, 2, true),
        new DeclaredColumn("opened", DeclaredType.DATE, -1, -1, true)), List.of(0));
    CatalogEntry entry = new CatalogEntry(collection, 2,
        Base64.getEncoder().encodeToString(declared.encode()), System.currentTimeMillis());
    try (KafkaProducer<byte[], byte[]> p = broker.producer()) {
      p.send(new ProducerRecord<>(ClusterTopics.CATALOG,
          collection.getBytes(StandardCharsets.UTF_8), entry.encode())).get(30, TimeUnit.SECONDS);
    }
    LeafTestKit.createDataTopic(broker, topic, 2);
    produce(broker, topic, List.of(
        kv("a1", "{\"id\": \"a1\", \"balance\": 10.5, \"opened\": \"2026-01-02\"}"),
        kv("a2", "{\"id\": \"a2\", \"balance\": 3}"),
        kv("a9", "{\"id\": \"a9\", \"nope\": 1}"))); // no such column: skipped
    // the transport comes in through the endpoint factory; the leaf announces the port it bound
    java.util.concurrent.atomic.AtomicReference<Object> served =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean endpointClosed =
        new java.util.concurrent.atomic.AtomicBoolean();
    LeafNode leaf = LeafNode.start(options(dir, "g3"), (host, port, executor) -> {
      served.set(executor);
      return new FragmentEndpoint() {
        @Override
        public int port() {
          return 4242;
        }

        @Override
        public void close() {
          endpointClosed.set(true);
        }
      };
    });
    try {
      assertTrue(served.get() == leaf.executor());
      assertEquals(4242, leaf.announcement().port());
      await("all records applied", () -> leaf.appliedRecords(collection) >= 3);
      assertEquals(1, leaf.malformedRecords(collection));
      Answer a = run(leaf, collection, "SELECT id, balance, opened FROM \"accounts\" ORDER BY id",
          List.of(0, 1), 1, mergedFields(collection, leaf));
      assertEquals(List.of(FragmentType.VARCHAR, FragmentType.DECIMAL, FragmentType.DATE),
          a.columns().stream().map(FragmentColumn::type).toList());
      Map<String, List<Object>> byId = new TreeMap<>();
      for (Object[] r : a.rows()) {
        byId.put((String) r[0], java.util.Arrays.asList(r[1], r[2]));
      }
      assertEquals(List.of("a1", "a2"), List.copyOf(byId.keySet()));
      assertEquals(java.util.Arrays.asList(new BigDecimal("10.50"),
          (int) LocalDate.of(2026, 1, 2).toEpochDay()), byId.get("a1"));
      assertEquals(0, new BigDecimal("3").compareTo((BigDecimal) byId.get("a2").get(0)));
      assertNull(byId.get("a2").get(1));
    } finally {
      leaf.close();
    }
    assertTrue(endpointClosed.get());
  }

  private static List<LeafAnnouncement.Shard> shardsOf(LeafAnnouncement a, String collection) {
    return a.shards().stream().filter(s -> s.collection().equals(collection)).toList();
  }

  private static boolean caughtUp(LeafNode leaf, String collection) {
    for (LeafAnnouncement.Shard s : leaf.announcement().shards()) {
      if (s.collection().equals(collection) && s.assigned()
          && (s.endOffset() < 0 || s.nextOffset() < s.endOffset())) {
        return false;
      }
    }
    return true;
  }
}
