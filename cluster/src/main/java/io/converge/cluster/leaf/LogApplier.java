package io.converge.cluster.leaf;

import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.LeavesFollower;
import io.converge.server.tailer.TailBatch;
import io.converge.server.tailer.TailBatchBuilder;
import io.converge.storage.Mutation;
import io.converge.storage.SourceOffsets;
import io.converge.storage.schema.DeclaredSchema;
import io.converge.storage.schema.DeclaredSchemaException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the leaf's partitions of every collection topic to their shards, exactly once across
 * crashes: the replica group's consumer group assigns partitions (static membership,
 * cooperative-sticky), each assigned partition starts at the offset stored in its shard (the
 * beginning of the compacted topic when none), and each poll's records of a partition become one
 * atomic write holding the documents and the partition's next offset. Kafka's committed offsets
 * are never used.
 *
 * <p>One thread polls, parses and writes, so a revoked partition has nothing in flight. Records
 * are parsed as the one-process tailer parses them ({@link TailBatchBuilder}); malformed ones are
 * skipped (their offsets still advance) and counted.
 *
 * <p>A serving partition the group takes away is not dropped: {@link PartitionHandoff} keeps
 * applying and serving it until another leaf of the group serves it. A leaf asked to
 * {@link #drain} hands all of its partitions off that way, leaves its group (Kafka then gives them
 * to the other leaves), and stops once every one has been released.
 */
final class LogApplier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogApplier.class);
  private static final Duration POLL = Duration.ofMillis(200);
  /** Each consumer's poll while partitions are being handed off (both are polled in turn). */
  private static final Duration POLL_SHARED = Duration.ofMillis(20);
  private static final long ANNOUNCE_MS = 1_000;
  private static final Duration CATALOG_WAIT = Duration.ofSeconds(10);

  private final String leafId;
  private final String replicaGroup;
  private final LeafShards shards;
  private final CatalogLog catalog;
  private final LeafAnnouncer announcer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final PartitionHandoff handoff;
  private final TailBatchBuilder builder = new TailBatchBuilder();
  private final Thread thread;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private volatile boolean stopping;
  /** Asked to hold applying (tests: a replica that falls behind while it keeps serving). */
  private volatile boolean pauseWanted;
  /** Whether the polling thread has paused every assigned partition. */
  private volatile boolean paused;
  private volatile Throwable failure;
  private boolean assignmentChanged = true;
  /** Asked to leave the cluster ({@link #drain}). */
  private volatile boolean drainWanted;
  /** Whether the group's consumer has left its group (closed) to drain. */
  private boolean groupLeft;

  LogApplier(String bootstrap, String replicaGroup, String leafId, LeafShards shards,
      CatalogLog catalog, LeafAnnouncer announcer) {
    this.leafId = leafId;
    this.replicaGroup = replicaGroup;
    this.shards = shards;
    this.catalog = catalog;
    this.announcer = announcer;
    this.consumer = new KafkaConsumer<>(consumerConfig(bootstrap, replicaGroup, leafId));
    this.handoff = new PartitionHandoff(bootstrap, leafId, replicaGroup,
        new LeavesFollower(bootstrap, a -> { }));
    this.thread = new Thread(this::run, "converge-leaf-applier-" + leafId);
    this.thread.setDaemon(true);
  }

  static Properties consumerConfig(String bootstrap, String replicaGroup, String leafId) {
    Properties p = logReaderConfig(bootstrap, leafId);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, ClusterTopics.leafGroup(replicaGroup));
    p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, leafId);
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
    // new collection topics match the subscription within a second
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    return p;
  }

  /**
   * What every consumer of a leaf that applies the log shares (the group's, and the hand-off
   * one's): committed records only, offsets from the shards (never committed to Kafka), fetches
   * answered as soon as one byte is there.
   */
  static Properties logReaderConfig(String bootstrap, String clientId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // A fetch is answered as soon as one byte is there: fetch.max.wait.ms (500 ms) then only
    // bounds a fetch that finds nothing, so it adds no latency and keeps idle leaves quiet.
    p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(4 << 20));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  void start() {
    handoff.start();
    thread.start();
  }

  /**
   * Leaves the cluster without a moment in which a partition is unserved: hands every partition
   * off, leaves the replica group (its other leaves get the partitions), and stops applying once
   * they all serve them ({@link #isRunning()} then turns false). Returns at once.
   */
  void drain() {
    drainWanted = true;
    announcer.draining(true);
  }

  /** Whether {@link #drain} was asked. */
  boolean draining() {
    return drainWanted;
  }

  /** Records applied (documents written or deleted, or skipped as malformed) since start. */
  long appliedRecords() {
    return applied.get();
  }

  /** Records skipped as malformed since start. */
  long malformedRecords() {
    return malformed.get();
  }

  /** Why the applier stopped by itself, or null. */
  Throwable failure() {
    return failure;
  }

  boolean isRunning() {
    return finished.getCount() > 0;
  }

  boolean awaitStopped(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    long nextAnnounce = 0;
    try {
      consumer.subscribe(Pattern.compile(Pattern.quote(ClusterTopics.DATA_PREFIX) + ".*"),
          new Listener());
      while (!stopping) {
        if (drainWanted && !groupLeft) {
          leaveGroup();
        }
        try {
          if (!groupLeft) {
            holdOrResume();
            applyAll(consumer.poll(handoff.isEmpty() ? POLL : POLL_SHARED), consumer);
          }
          if (!handoff.isEmpty()) {
            applyAll(handoff.poll(groupLeft ? POLL : POLL_SHARED), handoff.consumer());
          } else if (groupLeft) {
            if (System.currentTimeMillis() >= handoff.graceEndMillis()) {
              LOG.info("leaf {}: drained; every partition it held is served by other leaves",
                  leafId);
              return;
            }
            Thread.sleep(100);
          }
        } catch (RetriableException e) {
          // broker slow or away: nothing was consumed, so retrying is safe
          LOG.warn("leaf {}: {} (retrying)", leafId, e.toString());
          Thread.sleep(1_000);
          continue;
        }
        long now = System.currentTimeMillis();
        assignmentChanged |= handoff.releaseServed(now);
        if (assignmentChanged || now >= nextAnnounce) {
          assignmentChanged = false;
          refreshEndOffsets();
          announcer.announce();
          nextAnnounce = now + ANNOUNCE_MS;
        }
      }
    } catch (WakeupException | InterruptedException stop) {
      // close() woke the consumer up
    } catch (Throwable t) {
      failure = t;
      LOG.error("leaf {}: applying the log stopped; a restart resumes after the last batch "
          + "written", leafId, t);
    } finally {
      for (LeafShard s : shards.all()) {
        s.assigned(false);
        s.released(0);
      }
      if (!groupLeft) {
        try {
          consumer.close(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
          LOG.warn("leaf {}: closing the consumer: {}", leafId, e.toString());
        }
      }
      handoff.close();
      finished.countDown();
    }
  }

  /**
   * Holds ({@code true}) or resumes applying. Held, the consumer keeps polling with its partitions
   * paused: it stays in its group and the leaf keeps announcing and serving what it holds, which
   * falls behind. Takes effect at the applier's next poll ({@link #paused}).
   */
  void pause(boolean value) {
    pauseWanted = value;
  }

  /** Whether applying is held now: no record polled from here on is applied until resumed. */
  boolean paused() {
    return paused;
  }

  private void holdOrResume() {
    if (pauseWanted) {
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (paused) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  /** Applies what {@code source} polled. */
  private void applyAll(ConsumerRecords<byte[], byte[]> polled,
      KafkaConsumer<byte[], byte[]> source) {
    for (TopicPartition tp : polled.partitions()) {
      apply(tp, polled.records(tp), position(source, tp));
    }
  }

  /**
   * The consumer's next offset to read in {@code tp}, or -1 when it does not know it at once. It
   * is past the transaction markers that follow the records it returned (Kafka skips them for
   * its reader), so a shard whose next offset is the position holds its partition to the end
   * when the log's last entry is a marker: a tailer's and any transactional producer's writes.
   */
  static long position(KafkaConsumer<byte[], byte[]> source, TopicPartition tp) {
    try {
      return source.position(tp, Duration.ZERO);
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * Sets {@code shard}'s end offset from {@code source}'s fetch lag (first moving its next offset
   * past transaction markers the consumer skipped); false when the consumer does not know the lag.
   */
  static boolean endFromLag(KafkaConsumer<byte[], byte[]> source, TopicPartition tp,
      LeafShard shard) {
    OptionalLong lag = source.currentLag(tp);
    if (lag.isEmpty()) {
      return false;
    }
    shard.skippedTo(position(source, tp));
    shard.endOffset(shard.nextOffset() + lag.getAsLong());
    return true;
  }

  /**
   * Hands every serving partition off, then leaves the replica group for good (a static member
   * stays in its group across restarts unless it says it leaves): the group's other leaves are
   * given its partitions at once.
   */
  private void leaveGroup() {
    long now = System.currentTimeMillis();
    for (LeafShard s : shards.assigned()) {
      TopicPartition tp = new TopicPartition(s.topic(), s.partition());
      if (PartitionHandoff.ENABLED && !s.catchingUp(now)) {
        handoff.add(tp, s);
      } else {
        s.assigned(false);
      }
    }
    groupLeft = true;
    try {
      consumer.close(CloseOptions.groupMembershipOperation(
          CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(5)));
    } catch (RuntimeException e) {
      LOG.warn("leaf {}: leaving group {}: {} (its partitions move when its session times out)",
          leafId, ClusterTopics.leafGroup(replicaGroup), e.toString());
    }
    assignmentChanged = true;
    LOG.info("leaf {}: draining: left group {}, serving {} partitions until other leaves do",
        leafId, ClusterTopics.leafGroup(replicaGroup), shards.all().stream()
            .filter(LeafShard::handingOff).count());
  }

  private void apply(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records,
      long position) {
    String collection = ClusterTopics.collectionOf(tp.topic());
    LeafShard shard = collection == null ? null : shards.get(collection, tp.partition());
    if (shard == null || records.isEmpty()) {
      return;
    }
    TailBatch batch = builder.build(records, System.currentTimeMillis());
    // every record below the position was returned, and these are the partition's records of
    // the poll: what lies between them and the position are transaction markers
    long next = Math.max(batch.nextOffsets().get(tp.partition()), position);
    List<Mutation> mutations = batch.mutations();
    DeclaredSchema declared = shard.store().declared();
    int unfit = 0;
    if (declared != null) {
      List<Mutation> fit = fitting(declared, shard, mutations);
      unfit = mutations.size() - fit.size();
      mutations = fit;
    }
    shard.store().write(mutations, SourceOffsets.of(shard.source(), next));
    shard.applied(next, records.get(records.size() - 1).timestamp());
    shard.counted(batch.records(), batch.malformed().size() + unfit);
    applied.addAndGet(batch.records());
    malformed.addAndGet(batch.malformed().size() + unfit);
    if (!batch.malformed().isEmpty()) {
      for (TailBatch.MalformedRecord m : batch.malformed()) {
        LOG.warn("leaf {}: skipped malformed record {}", leafId, m);
      }
    }
  }

  /**
   * The mutations without the documents that do not fit a {@code CREATE TABLE} collection's
   * declared schema: skipped as malformed, since one would fail the whole write.
   */
  private List<Mutation> fitting(DeclaredSchema declared, LeafShard shard,
      List<Mutation> mutations) {
    List<Mutation> out = new ArrayList<>(mutations.size());
    for (Mutation m : mutations) {
      if (m instanceof Mutation.Upsert u) {
        try {
          declared.conform(u.document(), shard.collection());
        } catch (DeclaredSchemaException e) {
          LOG.warn("leaf {}: skipped document {} of {}: {}", leafId, u.id(), shard,
              e.getMessage());
          continue;
        }
      }
      out.add(m);
    }
    return out;
  }

  /** End offsets of the assigned partitions: from the fetch's lag, else asked of the broker. */
  private void refreshEndOffsets() {
    handoff.refreshEndOffsets();
    if (groupLeft) {
      return;
    }
    List<TopicPartition> ask = new ArrayList<>();
    for (LeafShard s : shards.assigned()) {
      TopicPartition tp = new TopicPartition(s.topic(), s.partition());
      if (!endFromLag(consumer, tp, s)) {
        ask.add(tp);
      }
    }
    if (ask.isEmpty()) {
      return;
    }
    try {
      for (Map.Entry<TopicPartition, Long> e
          : consumer.endOffsets(ask, Duration.ofSeconds(1)).entrySet()) {
        LeafShard s = shards.get(ClusterTopics.collectionOf(e.getKey().topic()),
            e.getKey().partition());
        if (s != null && e.getValue() != null) {
          s.endOffset(e.getValue());
        }
      }
    } catch (RuntimeException e) {
      if (e instanceof WakeupException) {
        throw e;
      }
      LOG.debug("leaf {}: end offsets not known: {}", leafId, e.toString());
    }
  }

  /**
   * Reads the catalog to its end (a collection's entry is written before its first document),
   * or gives up after {@link #CATALOG_WAIT}: shards are then created from what has been read.
   */
  private void readCatalog() {
    try {
      catalog.awaitCaughtUp(CATALOG_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("cannot read the catalog topic {}: {}", ClusterTopics.CATALOG, e.toString());
    }
  }

  /** A collection's declared schema as read, or null for a schemaless or unknown one. */
  private DeclaredSchema declaredSchema(String collection) {
    CatalogEntry entry = catalog.collection(collection);
    return entry == null ? null : CatalogLog.declaredSchema(entry);
  }

  /** Opens or creates the shards of newly assigned partitions and positions them. */
  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      List<TopicPartition> fromStart = new ArrayList<>();
      boolean catalogRead = false;
      for (TopicPartition tp : partitions) {
        String collection = ClusterTopics.collectionOf(tp.topic());
        LeafShard shard = shards.get(collection, tp.partition());
        if (shard != null && handoff.take(tp)) {
          // applied all along by the hand-off consumer: resume from where it stopped
          consumer.seek(tp, shard.nextOffset());
          shard.assignedFromHandoff();
          LOG.info("leaf {}: assigned {} back while handing it off, at offset {}", leafId, shard,
              shard.nextOffset());
          continue;
        }
        if (shard == null) {
          if (!catalogRead) { // once per assignment, not once per new shard
            readCatalog();
            catalogRead = true;
          }
          shard = shards.getOrCreate(collection, tp.partition(), declaredSchema(collection));
        }
        OptionalLong stored = shard.store().sourceOffset(shard.source());
        if (stored.isPresent()) {
          consumer.seek(tp, stored.getAsLong());
        } else {
          fromStart.add(tp);
        }
        shard.applied(stored.orElse(0L));
        shard.assigned(true);
        LOG.info("leaf {}: assigned {} at offset {}", leafId, shard,
            stored.isPresent() ? stored.getAsLong() : "0 (beginning)");
      }
      if (!fromStart.isEmpty()) {
        consumer.seekToBeginning(fromStart);
      }
      if (pauseWanted) {
        consumer.pause(partitions);
      }
      assignmentChanged = assignmentChanged || !partitions.isEmpty();
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      unassign(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      unassign(partitions);
    }

    private void unassign(Collection<TopicPartition> partitions) {
      long now = System.currentTimeMillis();
      for (TopicPartition tp : partitions) {
        LeafShard s = shards.get(ClusterTopics.collectionOf(tp.topic()), tp.partition());
        if (s == null || !s.assigned()) {
          continue;
        }
        if (PartitionHandoff.ENABLED && !stopping && !s.catchingUp(now)) {
          handoff.add(tp, s); // a serving partition is served here until a peer serves it
        } else {
          s.assigned(false);
          LOG.info("leaf {}: no longer assigned {}", leafId, s);
        }
      }
      assignmentChanged = assignmentChanged || !partitions.isEmpty();
    }
  }

  /** Stops polling and closes the consumer (the batch being written completes first). */
  @Override
  public void close() {
    stopping = true;
    if (!groupLeft) {
      consumer.wakeup();
    }
    handoff.wakeup();
    try {
      if (!finished.await(30, TimeUnit.SECONDS)) {
        LOG.warn("leaf {}: the log applier did not stop within 30 s", leafId);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
