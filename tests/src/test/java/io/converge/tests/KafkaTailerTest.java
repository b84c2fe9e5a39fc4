package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.ConvergeServer;
import io.converge.server.tailer.KafkaTailer;
import io.converge.server.tailer.TailSpec;
import io.converge.server.tailer.TailerOffsets;
import io.converge.storage.ConvergeStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka tailer against a real broker: documents, keys as {@code _id}, tombstones, malformed
 * records (skipped, counted, offsets still advance), resuming after a clean stop, and exactly-once
 * across a hard kill of a {@code converge server} process while a producer keeps producing.
 */
@Tag("slow")
class KafkaTailerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
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

  private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String key,
      String value) {
    return new ProducerRecord<>(topic, partition,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private static ProducerRecord<byte[], byte[]> raw(String topic, byte[] value) {
    return new ProducerRecord<>(topic, 0, null, value);
  }

  @Test
  void documentsKeysTombstonesAndMalformedRecords(@TempDir Path dir) throws Exception {
    String topic = "events";
    broker.createTopic(topic, 2);
    List<ProducerRecord<byte[], byte[]>> records = List.of(
        record(topic, 0, null, "{\"_id\": \"a\", \"n\": 1}"),
        record(topic, 0, "b", "{\"n\": 2, \"tag\": \"keyed\"}"),
        record(topic, 0, "ignored-key", "{\"_id\": \"c\", \"n\": 3}"),
        record(topic, 0, null, "{\"n\": 4, \"tag\": \"generated\"}"),
        record(topic, 0, "a", null), // tombstone: deletes a
        record(topic, 0, null, "{not json"),
        record(topic, 0, null, "[1, 2]"),
        record(topic, 0, null, ""),
        raw(topic, new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}),
        record(topic, 0, null, "{\"_id\": {\"nested\": 1}, \"n\": 99}"),
        record(topic, 0, null, null), // tombstone without a key
        record(topic, 0, null, "{\"_id\": \"p\",\n  \"n\": 5,\n  \"tag\": \"pretty\"\n}"),
        record(topic, 0, null, "{\"_id\": \"q\",\n \"n\": 6}\n{\"_id\": \"r\"}"),
        record(topic, 1, "d", "{\"n\": 7, \"nested\": {\"k\": \"v\"}}"));
    int malformed = 7;
    try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
      for (ProducerRecord<byte[], byte[]> r : records) {
        producer.send(r).get();
      }
    }
    Path data = dir.resolve("data");
    ConvergeServer server = Servers.start(data);
    KafkaTailer tailer = KafkaTailer.start(server.store(), broker.bootstrap(),
        new TailSpec(topic, "events"), new Properties());
    try {
      assertTrue(tailer.awaitRecords(records.size(), WAIT), "tailer counts: " + tailer.counts());
      assertNull(tailer.failure());
      assertEquals(malformed, tailer.counts().malformed(), tailer.counts().toString());
      assertEquals(1, tailer.counts().deletes());
      assertEquals(records.size() - malformed - 1, tailer.counts().upserts());
      try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
        assertEquals(List.of(
                Sql.row("b", 2L, "keyed"),
                Sql.row("c", 3L, null),
                Sql.row("p", 5L, "pretty"),
                Sql.row("d", 7L, null)),
            // n = 4 is the document with a generated _id, checked below
            Sql.rows(c, "select \"_id\", n, tag from events where n <> 4 order by n"));
        assertEquals(5L, Sql.scalar(c, "select count(*) from events"));
        assertEquals(0L, Sql.scalar(c, "select count(*) from events where \"_id\" = 'a'"));
        assertEquals("v", Sql.scalar(c, "select \"nested.k\" from events where \"_id\" = 'd'"));
        // the generated _id is a UUID, not the (absent) key
        assertEquals(36L, Sql.scalar(c, "select char_length(\"_id\") from events where n = 4"));
      }
      // offsets advanced past every record, malformed ones included
      TailerOffsets offsets = new TailerOffsets(server.store().collection("events"), topic);
      assertEquals(OptionalLong.of(records.size() - 1), offsets.next(0));
      assertEquals(OptionalLong.of(1), offsets.next(1));
    } finally {
      tailer.close();
      server.stop();
    }
  }

  @Test
  void cleanRestartResumesAtTheStoredOffsets(@TempDir Path dir) throws Exception {
    String topic = "resume";
    broker.createTopic(topic, 3);
    Path data = dir.resolve("data");
    try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
      produceSequence(producer, topic, 0, 300);
      try (ConvergeStore store = ConvergeStore.open(data);
          KafkaTailer tailer = KafkaTailer.start(store, broker.bootstrap(),
              new TailSpec(topic, "seq"), new Properties())) {
        assertTrue(tailer.awaitRecords(300, WAIT), tailer.counts().toString());
      }
      produceSequence(producer, topic, 300, 200);
    }
    try (ConvergeStore store = ConvergeStore.open(data);
        KafkaTailer tailer = KafkaTailer.start(store, broker.bootstrap(),
            new TailSpec(topic, "seq"), new Properties())) {
      assertTrue(tailer.awaitRecords(200, WAIT), tailer.counts().toString());
      assertEquals(200, tailer.counts().records(), "only the new records are read again");
      assertEquals(500, store.collection("seq").documentCount());
    }
  }

  /** Keyless records without _id: each gets a generated _id, so a replay would be a duplicate. */
  private static void produceSequence(KafkaProducer<byte[], byte[]> producer, String topic,
      int from, int count) throws Exception {
    for (int i = from; i < from + count; i++) {
      producer.send(new ProducerRecord<>(topic, null,
          ("{\"seq\": " + i + ", \"pad\": \"" + "x".repeat(i % 50) + "\"}")
              .getBytes(StandardCharsets.UTF_8)));
    }
    producer.flush();
  }

  @Test
  void badTailArgumentsExitTwoWithoutServing(@TempDir Path dir) {
    String data = dir.resolve("data").toString();
    Cli.Result noBootstrap = Cli.run("server", "--data-dir", data, "--port", "0",
        "--tail", "t:c");
    assertEquals(2, noBootstrap.exit());
    assertTrue(noBootstrap.err().contains("--kafka-bootstrap"), noBootstrap.err());
    Cli.Result badSpec = Cli.run("server", "--data-dir", data, "--port", "0",
        "--kafka-bootstrap", broker.bootstrap(), "--tail", "no-collection");
    assertEquals(2, badSpec.exit());
    assertTrue(badSpec.err().contains("TOPIC:COLLECTION"), badSpec.err());
    Cli.Result twice = Cli.run("server", "--data-dir", data, "--port", "0",
        "--kafka-bootstrap", broker.bootstrap(), "--tail", "t:c", "--tail", "t:c");
    assertEquals(2, twice.exit());
    assertTrue(twice.err().contains("twice"), twice.err());
  }

  /**
   * A producer keeps producing keyless records without _id (each becomes a document with a
   * generated _id, so a record read twice would be a second document) while the server process
   * is killed with SIGKILL and started again; it stops only once the restarted server is ingesting.
   * Then the collection must hold each produced sequence number exactly once.
   */
  @Test
  void exactlyOnceAcrossAHardKillOfTheServerProcess(@TempDir Path dir) throws Exception {
    String topic = "orders-stream";
    broker.createTopic(topic, 3);
    Path data = dir.resolve("data");
    String tail = topic + ":seqs";
    ServerProcess first = ServerProcess.start(dir.resolve("first.log"), data,
        List.of("--kafka-bootstrap", broker.bootstrap(), "--tail", tail));
    AtomicReference<Throwable> producerFailure = new AtomicReference<>();
    AtomicBoolean stopProducing = new AtomicBoolean();
    AtomicLong produced = new AtomicLong();
    Thread producing = new Thread(() -> {
      try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
        while (!stopProducing.get()) {
          produceSequence(producer, topic, (int) produced.get(), 100);
          produced.addAndGet(100);
          Thread.sleep(100); // about 1,000 records/s
        }
      } catch (Throwable t) {
        producerFailure.set(t);
      }
    }, "test-producer");
    producing.start();
    ServerProcess second = null;
    try {
      long beforeKill;
      try {
        beforeKill = awaitCount(first, n -> n >= 1_000);
      } finally {
        first.kill();
      }
      long producedAtKill = produced.get();
      System.out.println("killed converge server with " + beforeKill + " documents visible, "
          + producedAtKill + " produced");
      second = ServerProcess.start(dir.resolve("second.log"), data,
          List.of("--kafka-bootstrap", broker.bootstrap(), "--tail", tail));
      long producedAtRestart = produced.get();
      awaitCount(second, n -> n > producedAtRestart); // live again, past the gap of the kill
      stopProducing.set(true);
      producing.join(TimeUnit.SECONDS.toMillis(60));
      assertNull(producerFailure.get());
      long total = produced.get();
      // The kill came in the middle of the stream: records were produced after it. The tailer
      // may keep up (nothing behind at the kill) and may even have committed the 100 records
      // the producer was sending before it counted them.
      assertTrue(beforeKill <= producedAtKill + 100 && total > producedAtKill,
          "visible at the kill " + beforeKill + ", produced at the kill " + producedAtKill
              + ", produced in all " + total);
      awaitCount(second, n -> n >= total);
      try (Connection c = DriverManager.getConnection(second.jdbcUrl())) {
        assertEquals(List.of(Sql.row(total, total, 0L, total - 1)),
            Sql.rows(c, "select count(*), count(distinct seq), min(seq), max(seq) from seqs"),
            "killed after " + beforeKill + " documents");
      }
    } finally {
      stopProducing.set(true);
      first.kill();
      if (second != null) {
        second.kill();
      }
      producing.join();
    }
  }

  /** Polls {@code select count(*)} until {@code done} holds; returns the count. */
  private static long awaitCount(ServerProcess server, java.util.function.LongPredicate done)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long n = -1;
    try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
      while (System.nanoTime() < deadline) {
        try {
          n = ((Number) Sql.scalar(c, "select count(*) from seqs")).longValue();
        } catch (SQLException e) {
          throw new AssertionError("count query failed; server log:\n"
              + server.log(), e);
        }
        if (n >= 0 && done.test(n)) {
          return n;
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("count did not get there in time; last " + n + "; server log:\n"
        + server.log());
  }
}
