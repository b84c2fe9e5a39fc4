package io.converge.cluster.leaf;

import io.converge.cluster.log.ClusterTopics;
import io.converge.storage.ConvergeCollection;

/**
 * One shard a leaf holds: a partition of a collection's topic, stored as the leaf-local collection
 * {@link ClusterTopics#shardCollection}. Whether the leaf's consumer owns the partition right now
 * decides whether it answers fragments for it.
 */
final class LeafShard {
  private final String collection;
  private final int partition;
  private final String topic;
  private final String source;
  private final ConvergeCollection store;
  private volatile boolean assigned;
  private volatile long nextOffset;
  private volatile long endOffset = -1;
  private final java.util.concurrent.atomic.AtomicLong appliedRecords =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong malformedRecords =
      new java.util.concurrent.atomic.AtomicLong();

  LeafShard(String collection, int partition, ConvergeCollection store) {
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
    assigned = value;
  }

  long nextOffset() {
    return nextOffset;
  }

  /** Called after a batch carrying this offset was written. */
  void applied(long next) {
    nextOffset = next;
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
  }

  @Override
  public String toString() {
    return ClusterTopics.shardCollection(collection, partition);
  }
}
