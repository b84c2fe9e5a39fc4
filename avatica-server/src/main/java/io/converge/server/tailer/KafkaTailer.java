package io.converge.server.tailer;

import io.converge.server.metrics.IngestMetrics;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.micrometer.core.instrument.Meter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails one Kafka topic into one collection, exactly once across crashes: each poll becomes one
 * atomic RocksDB batch holding the documents and the next offset of every partition it read, and
 * on start every partition is positioned at the offset stored with the data (the beginning when
 * none). Kafka's committed offsets are never used (no group, no auto-commit).
 *
 * <p>The consumer thread polls and parses batch N+1 (with helpers, see
 * {@link ParallelBatchBuilder}) while a writer thread commits batch N. A failed write stops the
 * tailer (the data and its offsets stay consistent; a restart resumes after the last committed
 * batch).
 */
public final class KafkaTailer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTailer.class);
  /** How often partitions are re-listed, so partitions added to the topic get tailed too. */
  private static final long PARTITION_REFRESH_MS = 30_000;
  /** Counts are logged this often while records arrive. */
  private static final long REPORT_MS = 10_000;
  private static final Duration POLL = Duration.ofMillis(200);

  private final TailSpec spec;
  private final ConvergeCollection collection;
  private final TailerOffsets offsets;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final ParallelBatchBuilder builder;
  private final TailerCounts counts = new TailerCounts();
  private final ExecutorService writer;
  private final Thread thread;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile Throwable failure;
  private final Set<Integer> assigned = new HashSet<>();
  /** Records of the topic not read yet (summed over the partitions), -1 while not known. */
  private final AtomicLong lag = new AtomicLong(-1);
  private volatile Meter lagGauge;
  private boolean toldWaiting;

  private KafkaTailer(TailSpec spec, ConvergeCollection collection, Properties consumerConfig) {
    this.spec = spec;
    this.collection = collection;
    this.offsets = new TailerOffsets(collection, spec.topic());
    this.consumer = new KafkaConsumer<>(consumerConfig);
    String name = "converge-tailer-" + spec.topic() + "-" + spec.collection();
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-writer");
      t.setDaemon(true);
      return t;
    });
    this.builder = new ParallelBatchBuilder(name);
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  /**
   * Starts tailing {@code spec.topic()} into {@code spec.collection()} of {@code store} (created
   * if missing). {@code overrides} (may be empty) are Kafka consumer settings; the ones
   * exactly-once depends on are forced.
   */
  public static KafkaTailer start(ConvergeStore store, String bootstrapServers, TailSpec spec,
      Properties overrides) {
    ConvergeCollection collection = store.getOrCreate(spec.collection());
    KafkaTailer t = new KafkaTailer(spec, collection,
        consumerConfig(bootstrapServers, spec, overrides));
    t.thread.start();
    t.lagGauge = IngestMetrics.tailerLag(spec.topic(), spec.collection(), t, x -> x.lag.get());
    LOG.info("tailing Kafka topic {} at {} into collection '{}'", spec.topic(), bootstrapServers,
        spec.collection());
    return t;
  }

  static Properties consumerConfig(String bootstrap, TailSpec spec, Properties overrides) {
    Properties p = new Properties();
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "converge-tailer-" + spec.topic());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(4 << 20));
    // Transactional producers' aborted records must not become documents.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A stored offset that fell out of retention restarts from what is left.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    if (overrides != null) {
      p.putAll(overrides);
    }
    if (p.containsKey(ConsumerConfig.GROUP_ID_CONFIG)
        || "true".equals(String.valueOf(p.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)))) {
      LOG.info("tailer {}: group.id / enable.auto.commit ignored: offsets are stored with the "
          + "documents, partitions are assigned directly", spec);
      p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    }
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  public TailSpec spec() {
    return spec;
  }

  public TailerCounts counts() {
    return counts;
  }

  /** Why the tailer stopped by itself, or null while it runs (or after a clean stop). */
  public Throwable failure() {
    return failure;
  }

  public boolean isRunning() {
    return finished.getCount() > 0;
  }

  private void run() {
    Future<?> pending = null;
    long nextRefresh = 0;
    long nextReport = System.currentTimeMillis() + REPORT_MS;
    long reported = 0;
    try {
      while (!stopping) {
        long now = System.currentTimeMillis();
        if (now >= nextReport) {
          if (counts.records() != reported) {
            reported = counts.records();
            LOG.info("tailer {}: {}", spec, counts);
          }
          nextReport = now + REPORT_MS;
        }
        ConsumerRecords<byte[], byte[]> polled;
        try {
          if (now >= nextRefresh) {
            assignNewPartitions();
            nextRefresh = now + (assigned.isEmpty() ? 1_000 : PARTITION_REFRESH_MS);
          }
          if (assigned.isEmpty()) {
            Thread.sleep(100);
            continue;
          }
          polled = consumer.poll(POLL);
          updateLag();
        } catch (RetriableException e) {
          // broker slow or away: nothing was consumed, so retrying is safe
          LOG.warn("tailer {}: {} (retrying)", spec, e.toString());
          Thread.sleep(1_000);
          continue;
        }
        if (polled.isEmpty()) {
          continue;
        }
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(polled.count());
        polled.forEach(records::add);
        TailBatch batch = builder.build(records);
        if (pending != null) {
          pending.get(); // one batch in flight: keeps batches in order, bounds memory
        }
        pending = writer.submit(() -> commit(batch));
      }
    } catch (WakeupException | InterruptedException stop) {
      // stop() woke the consumer up
    } catch (ExecutionException e) {
      fail(e.getCause());
    } catch (Throwable t) {
      fail(t);
    } finally {
      try {
        if (pending != null) {
          pending.get(); // the batch in flight still commits: nothing read is left half-done
        }
      } catch (ExecutionException e) {
        fail(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      writer.shutdown();
      builder.close();
      consumer.close(Duration.ofSeconds(2));
      LOG.info("tailer {} stopped: {}", spec, counts);
      finished.countDown();
    }
  }

  private void fail(Throwable t) {
    if (failure == null) {
      failure = t;
    }
    LOG.error("tailer {} stopped by an error; a restart resumes after the last committed batch",
        spec, t);
  }

  private void commit(TailBatch batch) {
    collection.write(batch.mutations(), offsets.of(batch.nextOffsets()));
    counts.committed(batch);
    IngestMetrics.ingested(spec.collection(), IngestMetrics.KAFKA, batch.upserts());
    IngestMetrics.rejected(spec.collection(), IngestMetrics.KAFKA, IngestMetrics.MALFORMED,
        batch.malformed().size());
    for (TailBatch.MalformedRecord m : batch.malformed()) {
      LOG.warn("tailer {}: skipped malformed record {}", spec, m);
    }
  }

  /** Assigns partitions not assigned yet, each at its stored offset or the beginning. */
  private void assignNewPartitions() {
    List<PartitionInfo> infos = consumer.partitionsFor(spec.topic(), Duration.ofSeconds(5));
    if (infos == null || infos.isEmpty()) {
      if (assigned.isEmpty() && !toldWaiting) {
        toldWaiting = true;
        LOG.info("tailer {}: topic {} does not exist (yet); waiting for it", spec, spec.topic());
      }
      return;
    }
    List<TopicPartition> added = new ArrayList<>();
    for (PartitionInfo i : infos) {
      if (assigned.add(i.partition())) {
        added.add(new TopicPartition(spec.topic(), i.partition()));
      }
    }
    if (added.isEmpty()) {
      return;
    }
    List<TopicPartition> all = new ArrayList<>(consumer.assignment());
    all.addAll(added);
    consumer.assign(all);
    List<TopicPartition> fromStart = new ArrayList<>();
    for (TopicPartition tp : added) {
      OptionalLong stored = offsets.next(tp.partition());
      if (stored.isPresent()) {
        consumer.seek(tp, stored.getAsLong());
        LOG.info("tailer {}: partition {} resumes at offset {}", spec, tp.partition(),
            stored.getAsLong());
      } else {
        fromStart.add(tp);
        LOG.info("tailer {}: partition {} starts at the beginning", spec, tp.partition());
      }
    }
    if (!fromStart.isEmpty()) {
      consumer.seekToBeginning(fromStart);
    }
  }

  /** Sums the consumer's lag of its partitions (what it knows from its last fetches). */
  private void updateLag() {
    long sum = 0;
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isEmpty()) {
        return;
      }
      sum += l.getAsLong();
    }
    lag.set(sum);
  }

  /** Stops polling, lets the batch in flight commit, closes the consumer. Idempotent. */
  @Override
  public void close() {
    stopping = true;
    Meter g = lagGauge;
    if (g != null) {
      IngestMetrics.remove(g);
    }
    consumer.wakeup();
    try {
      if (!finished.await(30, TimeUnit.SECONDS)) {
        LOG.warn("tailer {} did not stop within 30 s", spec);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks until the tailer has committed at least {@code records} records (tests, benchmarks). */
  public boolean awaitRecords(long records, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (counts.records() < records) {
      if (!isRunning() || System.nanoTime() > deadline) {
        return counts.records() >= records;
      }
      Thread.sleep(5);
    }
    return true;
  }
}
