package io.converge.cluster.tailer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.RowSink;
import io.converge.cluster.leaf.LeafNode;
import io.converge.cluster.leaf.LeafOptions;
import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.FieldStats;
import io.converge.cluster.log.LeafAnnouncement;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.metrics.ConvergeMetrics;
import io.converge.server.tailer.TailSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tailers of external topics against a real broker: records re-keyed by {@code _id} into the
 * collection's data topic exactly once, across a crashed tailer's open transaction and a restart,
 * a second tailer fencing the first, and a leaf applying what the tailer wrote.
 */
@Tag("slow")
class ClusterTailerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  static Path kafkaDir;
  static LocalKafkaBroker broker;
  static CatalogLog catalog;

  @BeforeAll
  static void start() throws Exception {
    broker = LocalKafkaBroker.start(kafkaDir);
    catalog = CatalogLog.open(broker.bootstrap());
  }

  @AfterAll
  static void stop() throws Exception {
    if (catalog != null) {
      catalog.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void tailsExactlyOnceAcrossACrashAndARestart() throws Exception {
    String topic = "ext.orders";
    String collection = "orders";
    broker.createTopic(topic, 3);
    TailSpec spec = TailSpec.parse(topic + ":" + collection);

    List<String[]> first = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      first.add(kv("o" + i, "{\"_id\": \"o" + i + "\", \"n\": " + i + "}"));
    }
    first.add(kv("o1", "{\"_id\": \"o1\", \"n\": 1001}")); // an upsert of the same _id
    first.add(kv("o2", null)); // a delete
    first.add(kv("bad", "{not json")); // malformed: skipped and counted
    first.add(kv("keyed", "{\"n\": 7, \"_event_time\": 1234}")); // _id from the key
    first.add(kv("pretty", "{\n  \"_id\": \"pretty\",\n  \"n\": 8\n}")); // spans lines
    long t0 = System.currentTimeMillis();
    produce(topic, first);
    String ingested = "converge_documents_ingested_total{collection=\"orders\",source=\"kafka\"}";
    String lag = "converge_tailer_lag_records{collection=\"orders\",topic=\"ext.orders\"}";
    double ingestedBefore = sample(ingested, 0);

    ClusterTailer tailer = ClusterTailer.start(broker.bootstrap(), catalog, spec, 4);
    try {
      assertNotNull(catalog.collection(collection), "the collection is created");
      await("the first records tailed", () -> tailer.counts().records() == first.size());
      ClusterTailer.Counts c = tailer.counts();
      assertEquals(1, c.malformed());
      assertEquals(1, c.deletes());
      assertEquals(first.size() - 2, c.documents());
      await("no lag", () -> tailer.counts().lag() == 0);
      assertEquals(ingestedBefore + first.size() - 2, sample(ingested, -1), "metrics");
      assertEquals(0.0, sample(lag, -1));
    } finally {
      tailer.close();
    }
    assertEquals(-1.0, sample(lag, -1), "a closed tailer's lag is no longer reported");
    List<ConsumerRecord<byte[], byte[]>> data = readCommitted(collection);
    assertEquals(first.size() - 1, data.size(), "each valid record once");
    Map<String, JsonNode> latest = latest(data);
    assertEquals(50 - 1 + 2, latest.size(), latest.keySet().toString());
    assertEquals(1001, latest.get("o1").get("n").asLong());
    assertFalse(latest.containsKey("o2"));
    assertEquals("o7", latest.get("o7").get("_id").asText());
    long eventTime = latest.get("o7").get("_event_time").asLong();
    assertTrue(eventTime >= t0 - 60_000 && eventTime <= System.currentTimeMillis(),
        "the record timestamp is the event time: " + eventTime);
    assertEquals("keyed", latest.get("keyed").get("_id").asText());
    assertEquals(1234, latest.get("keyed").get("_event_time").asLong());
    assertEquals(8, latest.get("pretty").get("n").asLong());

    // A tailer that died mid-transaction: records sent, neither they nor its offsets committed.
    KafkaProducer<byte[], byte[]> zombie = transactional(ClusterTailer.transactionalId(spec));
    try {
      zombie.initTransactions();
      zombie.beginTransaction();
      zombie.send(new ProducerRecord<>(ClusterTopics.dataTopic(collection),
          bytes("ghost"), bytes("{\"_id\": \"ghost\"}"))).get(30, TimeUnit.SECONDS);
      zombie.flush();

      List<String[]> second = new ArrayList<>();
      for (int i = 50; i < 80; i++) {
        second.add(kv("o" + i, "{\"_id\": \"o" + i + "\", \"n\": " + i + "}"));
      }
      second.add(kv("o3", "{\"_id\": \"o3\", \"n\": 3003}"));
      produce(topic, second);

      // the restart fences the dead one and aborts its transaction, then resumes at the offsets
      // committed with the last transaction: nothing of the first poll twice, nothing lost
      ClusterTailer again = ClusterTailer.start(broker.bootstrap(), catalog, spec, 4);
      try {
        await("the second records tailed", () -> again.counts().records() == second.size());
        assertEquals(0, again.counts().malformed());
      } finally {
        again.close();
      }
      List<ConsumerRecord<byte[], byte[]>> after = readCommitted(collection);
      assertEquals(first.size() - 1 + second.size(), after.size(), "each valid record once");
      Map<String, JsonNode> now = latest(after);
      assertNull(now.get("ghost"), "the crashed tailer's open transaction is aborted");
      assertEquals(80 - 1 + 2, now.size());
      assertEquals(3003, now.get("o3").get("n").asLong());
    } finally {
      zombie.close(Duration.ZERO);
    }
  }

  @Test
  void aSecondTailerOfTheSameSpecFencesTheFirst() throws Exception {
    String topic = "ext.fenced";
    String collection = "fenced";
    broker.createTopic(topic, 1);
    TailSpec spec = TailSpec.parse(topic + ":" + collection);
    ClusterTailer a = ClusterTailer.start(broker.bootstrap(), catalog, spec, 2);
    try {
      produce(topic, List.<String[]>of(kv("x", "{\"v\": 1}")));
      await("a tails", () -> a.counts().records() == 1);
      ClusterTailer b = ClusterTailer.start(broker.bootstrap(), catalog, spec, 2);
      try {
        produce(topic, List.of(kv("y", "{\"v\": 2}"), kv("z", "{\"v\": 3}")));
        // whichever of the two the group gives the partition, only b can commit: a is fenced
        await("b tails", () -> b.counts().records() == 2);
        assertEquals(1, a.counts().records());
        if (a.failure() != null) {
          assertInstanceOf(ProducerFencedException.class, a.failure());
        }
        await("all in", () -> readCommitted(collection).size() == 3);
      } finally {
        b.close();
      }
    } finally {
      a.close();
    }
    assertEquals(3, latest(readCommitted(collection)).size());
  }

  @Test
  void aLeafAppliesWhatTheTailerWrote(@TempDir Path leafDir) throws Exception {
    String topic = "ext.events";
    String collection = "events";
    broker.createTopic(topic, 2);
    TailSpec spec = TailSpec.parse(topic + ":" + collection);
    List<String[]> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(kv("e" + i, "{\"kind\": \"" + (i % 2 == 0 ? "a" : "b") + "\"}"));
    }
    records.add(kv("e0", null));
    records.add(kv("e1", "{\"kind\": \"c\"}"));
    records.add(kv("junk", "[1, 2]"));
    produce(topic, records);
    LeafNode leaf = LeafNode.startServingFlight(new LeafOptions(broker.bootstrap(), leafDir, "g1",
        "127.0.0.1", 0));
    try (ClusterTailer tailer = ClusterTailer.start(broker.bootstrap(), catalog, spec, 3)) {
      await("tailed", () -> tailer.counts().records() == records.size());
      await("applied", () -> leaf.appliedRecords(collection) == records.size() - 1);
      assertEquals(0, leaf.malformedRecords(collection), "the tailer writes only documents");
      List<FieldStats> fields = new ArrayList<>();
      List<List<FieldStats>> all = new ArrayList<>();
      for (LeafAnnouncement.Shard s : leaf.announcement().shards()) {
        if (s.collection().equals(collection) && s.assigned()) {
          all.add(s.fields());
        }
      }
      fields.addAll(FieldStats.merge(all));
      long[] count = {0};
      leaf.executor().execute(new FragmentRequest("q", collection,
          "SELECT COUNT(*) AS n FROM \"events\"", List.of(0, 1, 2), 1, fields,
          System.currentTimeMillis() + 30_000), new RowSink() {
            @Override
            public void columns(List<io.converge.cluster.fragment.FragmentColumn> columns) {}

            @Override
            public boolean row(Object[] values) {
              count[0] += ((Number) values[0]).longValue();
              return true;
            }
          });
      assertEquals(39, count[0]);
    } finally {
      leaf.close();
    }
  }

  private static String[] kv(String key, String value) {
    return new String[] {key, value};
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void produce(String topic, List<String[]> keyValues) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = broker.producer()) {
      List<Future<?>> acks = new ArrayList<>();
      for (String[] kv : keyValues) {
        acks.add(p.send(new ProducerRecord<>(topic, bytes(kv[0]),
            kv[1] == null ? null : bytes(kv[1]))));
      }
      for (Future<?> a : acks) {
        a.get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static KafkaProducer<byte[], byte[]> transactional(String id) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  /** Every committed record of the collection's data topic, read to its last stable offset. */
  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String collection) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    String topic = ClusterTopics.dataTopic(collection);
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

  /** The latest document per key, in log order per partition; a tombstone removes it. */
  private static Map<String, JsonNode> latest(List<ConsumerRecord<byte[], byte[]>> records)
      throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) {
        out.remove(key);
      } else {
        JsonNode doc = JSON.readTree(r.value());
        assertEquals(key, doc.get("_id").asText(), "keyed by _id");
        assertTrue(doc.has("_event_time"), doc.toString());
        out.put(key, doc);
      }
    }
    return out;
  }

  /** The value of one sample of the process's metrics (name and labels exact), or {@code absent}. */
  private static double sample(String nameAndLabels, double absent) {
    String body = new String(ConvergeMetrics.scrape(null).body(), StandardCharsets.UTF_8);
    for (String line : body.split("\n")) {
      if (line.startsWith(nameAndLabels + " ")) {
        return Double.parseDouble(line.substring(nameAndLabels.length() + 1).split(" ")[0]);
      }
    }
    return absent;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
