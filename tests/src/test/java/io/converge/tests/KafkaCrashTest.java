package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.converge.kafka.local.LocalKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka tailer across repeated SIGKILLs (soak only: {@code -Dconverge.soak=true}; CI has the
 * one kill of {@code KafkaTailerTest}): a producer keeps producing keyless records without
 * {@code _id} (a record read twice would be a second document) while a {@code converge server
 * --tail} child process is killed at seeded random moments and restarted on the same directory.
 * At the end every produced sequence number is there exactly once and {@code converge check}
 * finds the directory consistent.
 */
@EnabledIfSystemProperty(named = "converge.soak", matches = "true")
@Tag("slow")
class KafkaCrashTest {
  static final int KILLS = Integer.getInteger("converge.kafka.kills", 10);
  static final long SEED = Long.getLong("converge.crash.seed", 20261125L);
  static final Duration WAIT = Duration.ofSeconds(120);
  static final String TOPIC = "crash-stream";

  @Test
  void everyRecordExactlyOnceAcrossRepeatedKills(@TempDir Path dir) throws Exception {
    System.out.println("KafkaCrashTest: seed " + SEED + ", " + KILLS + " kills");
    Random random = new Random(SEED);
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dir.resolve("kafka"))) {
      broker.createTopic(TOPIC, 3);
      Path data = dir.resolve("data");
      List<String> tail = List.of("--kafka-bootstrap", broker.bootstrap(), "--tail",
          TOPIC + ":seqs");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong produced = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread producing = new Thread(() -> {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
          while (!stop.get()) {
            long from = produced.get();
            for (long i = from; i < from + 100; i++) {
              producer.send(new ProducerRecord<>(TOPIC, null,
                  ("{\"seq\": " + i + ", \"pad\": \"" + "x".repeat((int) (i % 50)) + "\"}")
                      .getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
            produced.addAndGet(100);
            Thread.sleep(50);
          }
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "kafka-crash-producer");
      producing.start();
      ServerProcess server = null;
      try {
        long lastSeen = 0;
        for (int kill = 0; kill < KILLS; kill++) {
          server = ServerProcess.start(dir.resolve("server-" + kill + ".log"), data, tail);
          long before = lastSeen;
          long seen = awaitCount(server, n -> n > before); // ingesting again
          lastSeen = seen;
          Thread.sleep(200 + random.nextInt(2_000));
          int status = server.kill();
          assertEquals(ServerProcess.SIGKILL_STATUS, status);
          System.out.printf("kafka kill %d of %d: %d documents visible before, %d produced%n",
              kill + 1, KILLS, seen, produced.get());
        }
        server = ServerProcess.start(dir.resolve("server-last.log"), data, tail);
        stop.set(true);
        producing.join(WAIT.toMillis());
        assertNull(failure.get());
        long total = produced.get();
        awaitCount(server, n -> n >= total);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
          assertEquals(List.of(Sql.row(total, total, 0L, total - 1)),
              Sql.rows(c, "select count(*), count(distinct seq), min(seq), max(seq) from seqs"));
        }
        server.kill();
        server = null;
        Cli.Result check = Cli.run("check", "--data-dir", data.toString());
        assertEquals(0, check.exit(), check.all());
        System.out.println("KafkaCrashTest: " + KILLS + " kills, " + total
            + " records, each exactly once; check consistent");
      } finally {
        stop.set(true);
        if (server != null) {
          server.close();
        }
        producing.join();
      }
    }
  }

  static long awaitCount(ServerProcess server, LongPredicate done) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long n = -1;
    try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
      while (System.nanoTime() < deadline) {
        try {
          n = ((Number) Sql.scalar(c, "select count(*) from seqs")).longValue();
        } catch (SQLException e) {
          if (!BadInputTest.messages(e).contains("not found")) { // before the first record
            throw new AssertionError("count failed; server log:\n" + server.log(), e);
          }
        }
        if (n >= 0 && done.test(n)) {
          return n;
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("count stayed at " + n + "; server log:\n" + server.log());
  }

  static {
    try {
      Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
