package io.converge.cluster.log;

import java.util.List;

/**
 * What a leaf tells the cluster about itself on the {@link ClusterTopics#LEAVES} topic (key: the
 * leaf id), at start, whenever its assignment changes and every second or so while it runs. A
 * null value is written when a leaf stops cleanly. Liveness does not come from these records but
 * from the leaf's membership in its replica group's consumer group (Kafka's session timeout).
 *
 * @param leafId stable across restarts (kept in the leaf's data directory); also the consumer's
 *     {@code group.instance.id}
 * @param replicaGroup the replica group ({@link ClusterTopics#leafGroup})
 * @param host the host aggregators reach the leaf's fragment endpoint (Arrow Flight) at
 * @param port that endpoint's port
 * @param pid the leaf's process id
 * @param updatedMillis when this record was written
 * @param shards every shard the leaf holds, assigned or not
 * @param metricsPort the port of the leaf's {@code GET /metrics}, 0 when it has none
 * @param draining the leaf is leaving the cluster: it left its replica group and serves its
 *     partitions only until other leaves of the group serve them, then stops
 */
public record LeafAnnouncement(String leafId, String replicaGroup, String host, int port, long pid,
    long updatedMillis, List<Shard> shards, int metricsPort, boolean draining) {

  /** An announcement of a leaf that is not draining. */
  public LeafAnnouncement(String leafId, String replicaGroup, String host, int port, long pid,
      long updatedMillis, List<Shard> shards, int metricsPort) {
    this(leafId, replicaGroup, host, port, pid, updatedMillis, shards, metricsPort, false);
  }

  /** An announcement of a leaf without a metrics port. */
  public LeafAnnouncement(String leafId, String replicaGroup, String host, int port, long pid,
      long updatedMillis, List<Shard> shards) {
    this(leafId, replicaGroup, host, port, pid, updatedMillis, shards, 0);
  }

  /**
   * One shard: a partition of a collection's topic.
   *
   * @param assigned whether the leaf's consumer currently owns the partition (it answers
   *     fragments only for assigned shards)
   * @param nextOffset the next offset to apply (everything below is in the shard)
   * @param endOffset the partition's end offset when last looked at (lag = end - next)
   * @param documents live documents in the shard
   * @param fields the shard's field statistics
   * @param lagMillis how long, at most, the shard has been missing records when announced (0:
   *     caught up, -1: not known)
   * @param catchingUp assigned, but not yet within the leaf's serving lag of the log's end (a
   *     restarted or newly assigned shard applying what it missed): aggregators do not route to it
   * @param handingOff not assigned any more, but the leaf keeps applying and serving the partition
   *     until another leaf of its replica group serves it (a partition moving to a joining leaf,
   *     or away from a draining one)
   */
  public record Shard(String collection, int partition, boolean assigned, long nextOffset,
      long endOffset, long documents, List<FieldStats> fields, long lagMillis,
      boolean catchingUp, boolean handingOff) {

    /** A shard that is not being handed off. */
    public Shard(String collection, int partition, boolean assigned, long nextOffset,
        long endOffset, long documents, List<FieldStats> fields, long lagMillis,
        boolean catchingUp) {
      this(collection, partition, assigned, nextOffset, endOffset, documents, fields, lagMillis,
          catchingUp, false);
    }

    /** A shard whose time lag is not known, serving if assigned. */
    public Shard(String collection, int partition, boolean assigned, long nextOffset,
        long endOffset, long documents, List<FieldStats> fields) {
      this(collection, partition, assigned, nextOffset, endOffset, documents, fields, -1, false,
          false);
    }
  }

  public byte[] encode() {
    return ClusterJson.encode(this);
  }

  public static LeafAnnouncement decode(byte[] bytes) {
    return ClusterJson.decode(bytes, LeafAnnouncement.class);
  }
}
