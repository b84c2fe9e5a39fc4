package io.converge.cluster.tailer;

import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.ClusterTopics;
import io.converge.server.metrics.IngestMetrics;
import io.converge.server.tailer.TailBatch;
import io.converge.server.tailer.TailSpec;
import io.micrometer.core.instrument.Meter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails an external Kafka topic into a cluster collection: every poll becomes one Kafka
 * transaction that writes the poll's documents to the collection's data topic, keyed by
 * {@code _id} ({@link TailDocuments}), and commits the consumer group's offsets with them. A
 * crash before the commit aborts the whole poll (read_committed readers, the leaves, never see
 * it) and the restarted tailer reads it again: each record is in the data topic exactly once.
 *
 * <p>The consumer group and the transactional id are derived from the collection and topic
 * ({@link #groupId}, {@link #transactionalId}), so a restarted tailer fences the one it replaces.
 * Run one tailer per topic and collection in the cluster. Malformed records are skipped, counted
 * and logged, and their offsets committed, as in the one-process tailer.
 */
public final class ClusterTailer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterTailer.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  /** What a tailer did since it started. */
  public record Counts(long records, long documents, long deletes, long malformed,
      long transactions, long lag) {}

  private final TailSpec spec;
  private final String dataTopic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final TailDocuments documents = new TailDocuments();
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong upserts = new AtomicLong();
  private final AtomicLong deletes = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong lag = new AtomicLong(-1);
  private volatile boolean closing;
  private volatile Throwable failure;
  /** {@code converge_tailer_lag_records}, registered while the tailer runs. */
  private volatile Meter lagGauge;

  /** The consumer group of the tailer of {@code spec}. */
  public static String groupId(TailSpec spec) {
    return "converge.tailer." + spec.collection() + "." + spec.topic();
  }

  /** The transactional id of the tailer of {@code spec}: stable, so a restart fences the old one. */
  public static String transactionalId(TailSpec spec) {
    return "converge.tailer." + spec.collection() + "." + spec.topic();
  }

  private ClusterTailer(String bootstrap, TailSpec spec) {
    this.spec = spec;
    this.dataTopic = ClusterTopics.dataTopic(spec.collection());
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(spec));
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(spec));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.consumer = new KafkaConsumer<>(c);
    this.producer = new KafkaProducer<>(p);
    this.thread = new Thread(this::run, "converge-tailer-" + spec.topic());
    thread.setDaemon(true);
  }

  /**
   * Starts tailing {@code spec.topic()} into {@code spec.collection()}, which is created in the
   * catalog with {@code partitions} partitions when it does not exist. Returns once the tailer
   * holds its transactional id (any older tailer of the same spec is fenced by then).
   */
  public static ClusterTailer start(String bootstrap, CatalogLog catalog, TailSpec spec,
      int partitions) throws InterruptedException {
    catalog.create(spec.collection(), partitions, null);
    ClusterTailer t = new ClusterTailer(bootstrap, spec);
    try {
      // aborts what a fenced predecessor left open before anything of ours is read
      t.producer.initTransactions();
      t.consumer.subscribe(List.of(spec.topic()));
    } catch (RuntimeException e) {
      t.consumer.close(Duration.ofSeconds(5));
      t.producer.close(Duration.ofSeconds(5));
      throw e;
    }
    t.thread.start();
    t.lagGauge = IngestMetrics.tailerLag(spec.topic(), spec.collection(), t, x -> x.lag.get());
    LOG.info("tailing Kafka topic {} into collection {} ({}), exactly once", spec.topic(),
        spec.collection(), t.dataTopic);
    return t;
  }

  public TailSpec spec() {
    return spec;
  }

  public Counts counts() {
    return new Counts(records.get(), upserts.get(), deletes.get(), malformed.get(),
        transactions.get(), lag.get());
  }

  /** Why the tailer stopped on its own (fenced, not authorized), or null while it runs. */
  public Throwable failure() {
    return failure;
  }

  /** Waits until the tailer has stopped: closed, or failed on its own ({@link #failure}). */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  private void run() {
    try {
      while (!closing) {
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
        if (!polled.isEmpty()) {
          transfer(polled);
        }
        updateLag();
      }
    } catch (WakeupException | InterruptException e) {
      if (!closing) {
        failure = e;
      }
    } catch (ProducerFencedException e) {
      failure = e;
      LOG.error("tailer of {} into {} stopped: another tailer took its transactional id {}",
          spec.topic(), spec.collection(), transactionalId(spec));
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("tailer of {} into {} stopped: {}", spec.topic(), spec.collection(),
          e.toString(), e);
    } finally {
      // closed here, by the thread that used them: a fenced tailer leaves the group at once, so
      // the tailer that fenced it gets its partitions without waiting for a poll timeout
      closeQuietly(() -> consumer.close(Duration.ofSeconds(5)));
      closeQuietly(() -> producer.close(Duration.ofSeconds(10)));
      stopped.countDown();
    }
  }

  /** One poll in one transaction; on a failure that can be retried, aborts and reads it again. */
  private void transfer(ConsumerRecords<byte[], byte[]> polled) {
    List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>(polled.count());
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : polled) {
      list.add(r);
      first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
    }
    TailDocuments.Result result = documents.convert(list, System.currentTimeMillis());
    TailBatch batch = result.batch();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    batch.nextOffsets().forEach((p, next) ->
        offsets.put(new TopicPartition(spec.topic(), p), new OffsetAndMetadata(next)));
    try {
      producer.beginTransaction();
      for (TailDocuments.DataRecord d : result.records()) {
        producer.send(new ProducerRecord<>(dataTopic, null, d.timestampMillis(),
            d.id().getBytes(StandardCharsets.UTF_8), d.value()));
      }
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
    } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
      throw e;
    } catch (KafkaException e) {
      if (closing) {
        throw new WakeupException();
      }
      LOG.warn("tailer of {} into {}: transaction failed ({}); reading the poll again",
          spec.topic(), spec.collection(), e.toString());
      producer.abortTransaction();
      Set<TopicPartition> assigned = consumer.assignment();
      first.forEach((tp, offset) -> {
        if (assigned.contains(tp)) {
          consumer.seek(tp, offset);
        }
      });
      pause();
      return;
    }
    transactions.incrementAndGet();
    records.addAndGet(batch.records());
    upserts.addAndGet(batch.upserts());
    deletes.addAndGet(batch.deletes());
    malformed.addAndGet(batch.malformed().size());
    IngestMetrics.ingested(spec.collection(), IngestMetrics.KAFKA, batch.upserts());
    IngestMetrics.rejected(spec.collection(), IngestMetrics.KAFKA, IngestMetrics.MALFORMED,
        batch.malformed().size());
    for (TailBatch.MalformedRecord m : batch.malformed()) {
      LOG.warn("tailer into {} skipped malformed record {}", spec.collection(), m);
    }
  }

  private void updateLag() {
    Set<TopicPartition> assigned = consumer.assignment();
    long sum = 0;
    for (TopicPartition tp : assigned) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isEmpty()) {
        return;
      }
      sum += l.getAsLong();
    }
    lag.set(sum);
  }

  private void pause() {
    try {
      Thread.sleep(RETRY_PAUSE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    }
  }

  /** Stops after the transaction in flight (committed or aborted); the thread closes the clients. */
  @Override
  public void close() {
    closing = true;
    Meter g = lagGauge;
    if (g != null) {
      IngestMetrics.remove(g);
    }
    consumer.wakeup();
    try {
      if (!stopped.await(30, TimeUnit.SECONDS)) {
        LOG.warn("tailer of {} into {} did not stop within 30 s", spec.topic(), spec.collection());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeQuietly(Runnable close) {
    try {
      close.run();
    } catch (RuntimeException e) {
      LOG.warn("tailer of {} into {}: closing a Kafka client failed: {}", spec.topic(),
          spec.collection(), e.toString());
    }
  }
}
