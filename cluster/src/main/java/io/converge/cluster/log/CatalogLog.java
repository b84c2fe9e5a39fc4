package io.converge.cluster.log;

import io.converge.storage.schema.DeclaredSchema;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's list of collections, kept on the compacted topic {@link ClusterTopics#CATALOG}
 * (key: collection name, value: {@link CatalogEntry}, null: dropped) where every aggregator and
 * leaf reads it. A background thread follows the topic from its start; {@link #create} writes an
 * entry and returns once this reader has seen it, so a collection created through one aggregator
 * is in the next query's schema on that aggregator.
 */
public final class CatalogLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogLog.class);

  private final String bootstrap;
  private final Map<String, CatalogEntry> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread reader;
  private final Object progress = new Object();
  private volatile long readUpTo = -1;
  private volatile boolean closed;
  private KafkaProducer<byte[], byte[]> producer;

  private CatalogLog(String bootstrap) {
    this.bootstrap = bootstrap;
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(c);
    TopicPartition tp = new TopicPartition(ClusterTopics.CATALOG, 0);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    this.reader = new Thread(this::follow, "converge-catalog-reader");
    reader.setDaemon(true);
  }

  /** Creates the catalog topic if needed and starts following it; returns once it is read. */
  public static CatalogLog open(String bootstrap) throws InterruptedException {
    try (Admin admin = ClusterAdmin.admin(bootstrap)) {
      ClusterAdmin.ensureCompactedTopic(admin, ClusterTopics.CATALOG, 1);
    }
    CatalogLog log = new CatalogLog(bootstrap);
    log.reader.start();
    log.awaitCaughtUp(Duration.ofSeconds(30));
    return log;
  }

  /** The collections, by name (a copy). */
  public Map<String, CatalogEntry> collections() {
    return Map.copyOf(entries);
  }

  public CatalogEntry collection(String name) {
    return entries.get(name);
  }

  /** Changes whenever an entry is added, replaced or removed. */
  public long generation() {
    return generation.get();
  }

  /**
   * Creates a collection: its data topic, then its catalog entry. Returns the existing entry when
   * the collection exists already (its partition count and schema stay as they are).
   *
   * @param declared the schema of a {@code CREATE TABLE}, or null for a schemaless collection
   */
  public synchronized CatalogEntry create(String name, int partitions, DeclaredSchema declared)
      throws InterruptedException {
    CatalogEntry existing = entries.get(name);
    if (existing != null) {
      return existing;
    }
    String topic = ClusterTopics.dataTopic(name);
    try (Admin admin = ClusterAdmin.admin(bootstrap)) {
      ClusterAdmin.ensureCompactedTopic(admin, topic, partitions);
      int actual = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(topic).partitions().size();
      partitions = actual;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot describe Kafka topic " + topic + ": "
          + e.getMessage(), e);
    }
    CatalogEntry entry = new CatalogEntry(name, partitions, declared == null ? null
        : Base64.getEncoder().encodeToString(declared.encode()), System.currentTimeMillis());
    write(name, entry.encode());
    return entries.get(name);
  }

  /** Removes a collection from the catalog (its topic is kept: deleting it is an operator's call). */
  public synchronized boolean drop(String name) throws InterruptedException {
    if (!entries.containsKey(name)) {
      return false;
    }
    write(name, null);
    return true;
  }

  /** The declared schema of an entry, or null for a schemaless collection. */
  public static DeclaredSchema declaredSchema(CatalogEntry entry) {
    return entry.declaredSchema() == null ? null
        : DeclaredSchema.decode(Base64.getDecoder().decode(entry.declaredSchema()));
  }

  private void write(String key, byte[] value) throws InterruptedException {
    long offset;
    try {
      offset = producer().send(new ProducerRecord<>(ClusterTopics.CATALOG, 0,
          key.getBytes(java.nio.charset.StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS)
          .offset();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot write the catalog topic: " + e.getMessage(), e);
    }
    awaitOffset(offset + 1, Duration.ofSeconds(30));
  }

  private synchronized KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      Map<String, Object> p = new HashMap<>();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      producer = new KafkaProducer<>(p);
    }
    return producer;
  }

  /** Waits until everything written to the catalog before this call has been read. */
  public void awaitCaughtUp(Duration timeout) throws InterruptedException {
    long end;
    try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
      TopicPartition tp = new TopicPartition(ClusterTopics.CATALOG, 0);
      end = probe.endOffsets(List.of(tp), timeout).get(tp);
    }
    awaitOffset(end, timeout);
  }

  private void awaitOffset(long offset, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (readUpTo < offset) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("the catalog topic was not read up to offset " + offset
              + " within " + timeout.toSeconds() + " s");
        }
        TimeUnit.NANOSECONDS.timedWait(progress, left);
      }
    }
  }

  private void follow() {
    TopicPartition tp = new TopicPartition(ClusterTopics.CATALOG, 0);
    try {
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String name = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
          if (r.value() == null) {
            entries.remove(name);
          } else {
            try {
              entries.put(name, CatalogEntry.decode(r.value()));
            } catch (IllegalArgumentException e) {
              LOG.warn("skipping catalog record {} at offset {}: {}", name, r.offset(),
                  e.getMessage());
              continue;
            }
          }
          generation.incrementAndGet();
        }
        long position = consumer.position(tp);
        synchronized (progress) {
          readUpTo = position;
          progress.notifyAll();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.error("the catalog reader stopped: {}", e.toString(), e);
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
    }
  }
}
