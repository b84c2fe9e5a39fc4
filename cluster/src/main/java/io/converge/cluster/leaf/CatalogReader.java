package io.converge.cluster.leaf;

import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.ClusterTopics;
import io.converge.storage.schema.DeclaredSchema;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted catalog topic ({@link ClusterTopics#CATALOG}) up to its end when asked, so
 * a shard of a {@code CREATE TABLE} collection is created with the collection's declared schema.
 * Thread-safe (calls are serialized).
 */
final class CatalogReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogReader.class);
  private static final TopicPartition PARTITION = new TopicPartition(ClusterTopics.CATALOG, 0);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, CatalogEntry> entries = new HashMap<>();
  private boolean started;

  CatalogReader(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(p);
  }

  /**
   * The declared schema of a collection as the catalog holds it now, or null for a schemaless
   * collection, one the catalog does not know, or when the catalog cannot be read within
   * {@code timeout}.
   */
  synchronized DeclaredSchema declaredSchema(String collection, Duration timeout) {
    try {
      readToEnd(timeout);
    } catch (RuntimeException e) {
      LOG.warn("cannot read the catalog topic {}: {}", ClusterTopics.CATALOG, e.toString());
    }
    CatalogEntry e = entries.get(collection);
    if (e == null || e.declaredSchema() == null) {
      return null;
    }
    return DeclaredSchema.decode(Base64.getDecoder().decode(e.declaredSchema()));
  }

  private void readToEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!started) {
      consumer.assign(List.of(PARTITION));
      consumer.seekToBeginning(List.of(PARTITION));
      started = true;
    }
    long end = consumer.endOffsets(List.of(PARTITION), timeout).getOrDefault(PARTITION, 0L);
    while (consumer.position(PARTITION, timeout) < end && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        if (r.key() == null) {
          continue;
        }
        String name = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
        if (r.value() == null) {
          entries.remove(name);
          continue;
        }
        try {
          entries.put(name, CatalogEntry.decode(r.value()));
        } catch (IllegalArgumentException bad) {
          LOG.warn("skipped a catalog record at offset {}: {}", r.offset(), bad.getMessage());
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
