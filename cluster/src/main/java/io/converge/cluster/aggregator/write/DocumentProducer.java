package io.converge.cluster.aggregator.write;

import io.converge.cluster.log.ClusterTopics;
import io.converge.server.tailer.RecordValues;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The aggregator's one Kafka producer for the collections' data topics (idempotent,
 * {@code acks=all}), shared by every write path: HTTP, SQL INSERT / UPDATE / DELETE and
 * {@code load}. {@link #write} returns only once Kafka acknowledged every record of the call, with
 * the fence of what it wrote; when any record is not acknowledged it throws, and the caller must
 * not report any of the call's records as written (some may still be in the log: a retry of the
 * same documents writes the same versions again).
 */
public final class DocumentProducer implements AutoCloseable {
  /** How long a write may wait for Kafka before it fails, by default. */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaProducer<byte[], byte[]> producer;
  private final Duration ackTimeout;

  public DocumentProducer(String bootstrap) {
    this(bootstrap, DEFAULT_ACK_TIMEOUT);
  }

  /** @param ackTimeout how long a write may wait for Kafka's acknowledgement (at least 4 s) */
  public DocumentProducer(String bootstrap, Duration ackTimeout) {
    if (ackTimeout.toMillis() < 4000) {
      throw new IllegalArgumentException("the acknowledgement timeout must be at least 4 s");
    }
    this.ackTimeout = ackTimeout;
    // Kafka fails a record after delivery.timeout.ms (retries included); the wait below is a
    // little longer so that Kafka's own reason, not a timeout, is what the caller sees.
    long delivery = ackTimeout.toMillis() - 2000;
    Map<String, Object> p = new java.util.HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Requests of many documents fill batches at once; single-document writes wait at most 2 ms.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(Math.min(20_000, delivery)));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(10_000, delivery / 2)));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(delivery));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(p);
  }

  /**
   * One record of a data topic.
   *
   * @param id the document's {@code _id}, the record key
   * @param document the document (with its {@code _id}), or null for a delete (tombstone)
   * @param timestampMillis the record timestamp: the event time of a document without
   *     {@code _event_time}
   */
  public record DocumentRecord(String id, Map<String, Object> document, long timestampMillis) {}

  /** The record's value and headers: the document in its binary form ({@link RecordValues}). */
  private static ProducerRecord<byte[], byte[]> record(String topic, DocumentRecord r) {
    byte[] key = r.id().getBytes(StandardCharsets.UTF_8);
    if (r.document() == null) {
      return new ProducerRecord<>(topic, null, r.timestampMillis(), key, (byte[]) null);
    }
    return new ProducerRecord<>(topic, null, r.timestampMillis(), key,
        RecordValues.encode(r.document()), RecordValues.ENCODED_HEADERS);
  }

  /**
   * Writes the records to the collection's topic and waits for Kafka's acknowledgement of all of
   * them. Returns the fence: per partition written, the offset of the call's last record in it.
   *
   * @throws LogWriteException when Kafka did not acknowledge every record
   */
  public Map<Integer, Long> write(String collection, List<DocumentRecord> records) {
    String topic = ClusterTopics.dataTopic(collection);
    List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
    try {
      for (DocumentRecord r : records) {
        sent.add(producer.send(record(topic, r)));
      }
    } catch (RuntimeException e) {
      settle(sent);
      throw new LogWriteException("Kafka refused a record of " + topic + ": " + oneLine(e), e);
    }
    Map<Integer, Long> fence = new TreeMap<>();
    long deadline = System.nanoTime() + ackTimeout.toNanos();
    try {
      for (Future<RecordMetadata> f : sent) {
        long left = Math.max(1, deadline - System.nanoTime());
        RecordMetadata m = f.get(left, TimeUnit.NANOSECONDS);
        fence.merge(m.partition(), m.offset(), Math::max);
      }
    } catch (ExecutionException e) {
      settle(sent);
      throw new LogWriteException("Kafka did not acknowledge a write to " + topic + ": "
          + oneLine(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      settle(sent);
      throw new LogWriteException("Kafka did not acknowledge a write to " + topic + " within "
          + ackTimeout.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LogWriteException("interrupted while waiting for Kafka's acknowledgement", e);
    }
    return fence;
  }

  /**
   * Waits until every record sent is acknowledged or failed (Kafka settles each within its
   * delivery timeout) before a failed write is answered: a record still queued must not land
   * after the client was told to retry, where it could overwrite a newer write of its
   * {@code _id}. Records of a failed request that did land are upserts the retry repeats.
   */
  private void settle(List<Future<RecordMetadata>> sent) {
    long deadline = System.nanoTime() + ackTimeout.toNanos();
    for (Future<RecordMetadata> f : sent) {
      try {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | CancellationException settled) {
        // failed: it will not land
      } catch (TimeoutException e) {
        return; // past Kafka's own delivery timeout: nothing is left in flight to wait for
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.replace('\n', ' ');
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
