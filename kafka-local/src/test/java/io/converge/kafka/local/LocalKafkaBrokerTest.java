package io.converge.kafka.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real broker process: produce, consume, stop, and a restart on the same directory. */
@Tag("slow")
class LocalKafkaBrokerTest {

  @Test
  void keepsItsRecordsAcrossARestartOnTheSameDirectory(@TempDir Path dir) throws Exception {
    String bootstrap;
    long firstPid;
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dir)) {
      bootstrap = broker.bootstrap();
      firstPid = broker.pid();
      assertEquals(Optional.of(firstPid), LocalKafkaBroker.runningIn(dir).map(ProcessHandle::pid));
      IllegalStateException twice = assertThrows(IllegalStateException.class,
          () -> LocalKafkaBroker.start(dir));
      assertTrue(twice.getMessage().contains("already runs in"), twice.getMessage());

      broker.createTopic("t", 1);
      try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
        producer.send(new ProducerRecord<>("t", "k".getBytes(StandardCharsets.UTF_8),
            "first".getBytes(StandardCharsets.UTF_8))).get();
      }
      assertEquals(List.of("first"), readAll(broker, "t"));
    }
    assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false),
        "the broker process is gone after stop()");
    assertEquals(Optional.empty(), LocalKafkaBroker.runningIn(dir));
    assertTrue(Files.exists(dir.resolve("kafka-logs").resolve("meta.properties")));

    try (LocalKafkaBroker again = LocalKafkaBroker.start(dir)) {
      assertEquals(bootstrap, again.bootstrap(), "a restart keeps the ports");
      try (KafkaProducer<byte[], byte[]> producer = again.producer()) {
        producer.send(new ProducerRecord<>("t", "second".getBytes(StandardCharsets.UTF_8)))
            .get();
      }
      assertEquals(List.of("first", "second"), readAll(again, "t"));
    }
  }

  @Test
  void stopRunningInStopsABrokerThisObjectNoLongerTracks(@TempDir Path dir) throws Exception {
    LocalKafkaBroker broker = LocalKafkaBroker.start(dir,
        LocalKafkaBroker.Options.defaults().readyTimeout(Duration.ofSeconds(90)));
    assertTrue(LocalKafkaBroker.stopRunningIn(dir, Duration.ofSeconds(30)));
    assertFalse(broker.isAlive());
    assertFalse(LocalKafkaBroker.stopRunningIn(dir, Duration.ofSeconds(30)));
  }

  @Test
  void aBrokerThatCannotStartReportsItsOutput(@TempDir Path dir) {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LocalKafkaBroker.start(dir, LocalKafkaBroker.Options.defaults()
            .brokerProperties(Map.of("node.id", "not-a-number"))));
    assertTrue(e.getMessage().contains("Kafka did not start in " + dir), e.getMessage());
    assertTrue(e.getMessage().contains("not-a-number"), e.getMessage());
  }

  private static List<String> readAll(LocalKafkaBroker broker, String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
