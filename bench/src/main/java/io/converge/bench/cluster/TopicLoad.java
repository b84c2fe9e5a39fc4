package io.converge.bench.cluster;

import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.ClusterTopics;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Fills a collection's data topic straight from an NDJSON file, as a cluster's writers would:
 * the collection is created in the catalog first, then every line is produced as the record value
 * keyed by its {@code _id} (idempotent producer, large batches); Kafka partitions by key.
 */
final class TopicLoad {
  private TopicLoad() {}

  /** Documents produced, the wall clock and the topic's end offsets after. */
  record Result(long documents, long nanos, Map<Integer, Long> endOffsets) {}

  static void create(String bootstrap, String collection, int partitions)
      throws InterruptedException {
    try (CatalogLog catalog = CatalogLog.open(bootstrap)) {
      catalog.create(collection, partitions, null);
    }
  }

  static Result produce(String bootstrap, String collection, Path ndjson) throws IOException {
    String topic = ClusterTopics.dataTopic(collection);
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1 << 20));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    AtomicReference<Exception> failed = new AtomicReference<>();
    long n = 0;
    long t0 = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        BufferedReader in = Files.newBufferedReader(ndjson, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null && failed.get() == null) {
        if (line.isBlank()) {
          continue;
        }
        producer.send(new ProducerRecord<>(topic, idOf(line).getBytes(StandardCharsets.UTF_8),
            line.getBytes(StandardCharsets.UTF_8)), (m, e) -> {
              if (e != null) {
                failed.compareAndSet(null, e);
              }
            });
        n++;
      }
      producer.flush();
    }
    if (failed.get() != null) {
      throw new IOException("Kafka refused a record of " + topic + ": " + failed.get(),
          failed.get());
    }
    long nanos = System.nanoTime() - t0;
    return new Result(n, nanos, endOffsets(bootstrap, topic));
  }

  /**
   * The {@code _id} of a generated line: the writer puts it first, a JSON integer or string
   * ({@code {"_id":123,...}} or {@code {"_id":"x",...}}).
   */
  static String idOf(String line) {
    String prefix = "{\"_id\":";
    if (!line.startsWith(prefix)) {
      throw new IllegalArgumentException("a line without a leading _id: "
          + line.substring(0, Math.min(80, line.length())));
    }
    int start = prefix.length();
    if (line.charAt(start) == '"') {
      return line.substring(start + 1, line.indexOf('"', start + 1));
    }
    int end = line.indexOf(',', start);
    return line.substring(start, end < 0 ? line.indexOf('}', start) : end);
  }

  /** Per partition, the offset the next record will get. */
  static Map<Integer, Long> endOffsets(String bootstrap, String topic) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<PartitionInfo> parts = consumer.partitionsFor(topic, java.time.Duration.ofSeconds(30));
      List<TopicPartition> tps = parts.stream()
          .map(pi -> new TopicPartition(topic, pi.partition())).toList();
      Map<Integer, Long> ends = new TreeMap<>();
      consumer.endOffsets(tps, java.time.Duration.ofSeconds(30))
          .forEach((tp, off) -> ends.put(tp.partition(), off));
      return ends;
    }
  }
}
