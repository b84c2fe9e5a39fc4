package io.converge.cluster.leaf;

import io.converge.cluster.log.ClusterTopics;
import io.converge.storage.ConvergeCollection;

/**
 * One shard a leaf holds: a partition of a collection's topic, stored as the leaf-local collection
 * {@link ClusterTopics#shardCollection}. It answers fragments while the leaf's consumer owns the
 * partition ({@link #assigned}), while it hands the partition over to another leaf of its group
 * ({@link #handingOff}: it keeps applying the log until that leaf serves), and for a short grace
 * after it let go ({@link #answers}), so that a query routed just before the release still runs.
 */
final class LeafShard {
  private final String collection;
  private final int partition;
  private final String topic;
  private final String source;
  private final ConvergeCollection store;
  private volatile boolean assigned;
  /** Applied by the leaf's hand-off consumer after the group took the partition away. */
  private volatile boolean handingOff;
  /** Until when (epoch ms) a released shard still answers fragments; 0: not released. */
  private volatile long answersUntilMillis;
  private volatile long nextOffset;
  private volatile long endOffset = -1;
  /** When the shard last held everything up to the end offset then known; -1: not since start. */
  private volatile long caughtUpMillis = -1;
  /** The Kafka timestamp of the last record applied; -1: none since start. */
  private volatile long lastRecordMillis = -1;
  /** Whether the shard caught up since it was assigned (it then serves until unassigned). */
  private volatile boolean caughtUpSinceAssigned;

  /**
   * How far behind, in milliseconds ({@link #lagMillis}), an assigned shard may be when it starts
   * to serve: a restarted or newly assigned shard serves once it holds the log's end known at
   * its assignment or is within this of it, and keeps serving while assigned (it does not drop
   * out under a burst of writes).
   */
  static final long SERVE_LAG_MILLIS = 5_000;
  private final java.util.concurrent.atomic.AtomicLong appliedRecords =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong malformedRecords =
      new java.util.concurrent.atomic.AtomicLong();

  /** Whether the leaf's query paths are warm; a shard starts to serve only once they are. */
  private final java.util.function.BooleanSupplier warm;

  LeafShard(String collection, int partition, ConvergeCollection store) {
    this(collection, partition, store, () -> true);
  }

  LeafShard(String collection, int partition, ConvergeCollection store,
      java.util.function.BooleanSupplier warm) {
    this.warm = warm;
    this.collection = collection;
    this.partition = partition;
    this.topic = ClusterTopics.dataTopic(collection);
    this.source = ClusterTopics.source(topic, partition);
    this.store = store;
    this.nextOffset = store.sourceOffset(source).orElse(0L);
  }

  String collection() {
    return collection;
  }

  int partition() {
    return partition;
  }

  String topic() {
    return topic;
  }

  /** The storage source name its next offset is kept under. */
  String source() {
    return source;
  }

  ConvergeCollection store() {
    return store;
  }

  boolean assigned() {
    return assigned;
  }

  void assigned(boolean value) {
    if (!value || !assigned) {
      caughtUpSinceAssigned = false;
    }
    assigned = value;
    if (value) {
      handingOff = false;
      answersUntilMillis = 0;
    }
  }

  /**
   * Takes the partition back from the hand-off consumer into the group's assignment: the shard
   * was applied all along, so it keeps serving without a new catch-up.
   */
  void assignedFromHandoff() {
    boolean wasServing = handingOff;
    assigned(true);
    caughtUpSinceAssigned = wasServing;
  }

  /** Whether the leaf applies the partition outside its group's assignment, until a peer serves. */
  boolean handingOff() {
    return handingOff;
  }

  /** The group took the partition away; the leaf keeps applying and serving it until released. */
  void handOff() {
    assigned = false;
    caughtUpSinceAssigned = false;
    handingOff = true;
  }

  /** Lets go of a handed-off partition: it answers fragments until {@code graceUntilMillis}. */
  void released(long graceUntilMillis) {
    handingOff = false;
    answersUntilMillis = graceUntilMillis;
  }

  /** Whether the shard answers fragments now. */
  boolean answers(long now) {
    return assigned || handingOff || now < answersUntilMillis;
  }

  /**
   * Whether the shard is assigned but not yet close enough to the log's end to serve (see
   * {@link #SERVE_LAG_MILLIS}), or the leaf's query paths are not warm yet; once it serves, it
   * stays so until unassigned.
   */
  boolean catchingUp(long now) {
    if (!assigned) {
      return false;
    }
    if (!caughtUpSinceAssigned) {
      long lag = lagMillis(now);
      if (lag >= 0 && lag <= SERVE_LAG_MILLIS && warm.getAsBoolean()) {
        caughtUpSinceAssigned = true;
      }
    }
    return !caughtUpSinceAssigned;
  }

  long nextOffset() {
    return nextOffset;
  }

  /** Called after a batch carrying this offset was written. */
  void applied(long next) {
    nextOffset = next;
    noteCaughtUp();
  }

  /**
   * The consumer's position moved past the shard's next offset with no record for it: only
   * transaction markers lie between (its reader returned, and the shard applied, every record
   * below the position). Not stored: a restart reads the markers again.
   */
  void skippedTo(long position) {
    if (position > nextOffset) {
      applied(position);
    }
  }

  /** As {@link #applied(long)}, with the Kafka timestamp of the batch's last record. */
  void applied(long next, long lastRecordTimestamp) {
    if (lastRecordTimestamp > lastRecordMillis) {
      lastRecordMillis = lastRecordTimestamp;
    }
    applied(next);
  }

  private void noteCaughtUp() {
    long end = endOffset;
    if (end >= 0 && nextOffset >= end) {
      caughtUpMillis = System.currentTimeMillis();
    }
  }

  /**
   * How long, at most, the shard has been missing records, in milliseconds: 0 when it held the
   * end offset last looked at, -1 when that end is unknown or nothing tells yet. Every record it
   * lacks was written after the later of the moment it last held everything and the timestamp of
   * the last record it applied, so the time since then bounds the oldest one's wait.
   */
  long lagMillis(long now) {
    long end = endOffset;
    if (end < 0) {
      return -1;
    }
    if (nextOffset >= end) {
      return 0;
    }
    long since = Math.max(caughtUpMillis, lastRecordMillis);
    return since < 0 ? -1 : Math.max(0, now - since);
  }

  /** Counts a written batch: its records, and those of them skipped as malformed. */
  void counted(long records, long malformed) {
    appliedRecords.addAndGet(records);
    malformedRecords.addAndGet(malformed);
  }

  /** Records applied since the leaf started (malformed ones included). */
  long appliedRecords() {
    return appliedRecords.get();
  }

  /** Records skipped as malformed since the leaf started. */
  long malformedRecords() {
    return malformedRecords.get();
  }

  /** The partition's end offset when last looked at, -1 when never. */
  long endOffset() {
    return endOffset;
  }

  void endOffset(long value) {
    endOffset = value;
    noteCaughtUp();
  }

  @Override
  public String toString() {
    return ClusterTopics.shardCollection(collection, partition);
  }
}
