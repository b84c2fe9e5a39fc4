package io.converge.cluster.leaf;

import io.converge.cluster.log.LeafAnnouncement;
import io.converge.cluster.log.LeavesFollower;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions a leaf keeps applying and serving after its replica group's consumer group took
 * them away (a leaf joined the group, or this leaf drains), until another leaf of the group serves
 * each of them: Kafka moves the assignment at once, this makes the old owner let go only after
 * the new one serves, so a partition is never without a server during a move.
 *
 * <p>The partitions are read by a consumer of their own with a manual assignment (no group, so it
 * takes nothing from anyone), from each shard's stored offset, into the same shards and with the
 * same atomic offset-with-batch writes as the group's partitions. A partition is released once a
 * peer of the same replica group has announced it serving for {@link #PEER_SERVING_MILLIS}, and
 * still answers fragments for {@link #RELEASE_GRACE_MILLIS} after that. Used by the applier thread
 * only.
 */
final class PartitionHandoff implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionHandoff.class);
  /**
   * How long a peer must have announced a partition serving before this leaf lets go of it:
   * aggregators route to a leaf once they also see its consumer own the partition, which they
   * learn from Kafka about every second.
   */
  static final long PEER_SERVING_MILLIS = 3_000;
  /** How long a released partition still answers fragments routed before the release was seen. */
  static final long RELEASE_GRACE_MILLIS = 5_000;
  /**
   * Off ({@code -Dconverge.leaf.handoff=false}), a leaf lets go of a partition the moment the
   * group takes it away, as before hand-offs existed: for measuring what they save.
   */
  static final boolean ENABLED =
      Boolean.parseBoolean(System.getProperty("converge.leaf.handoff", "true"));
  /** A peer whose announcements stopped this long ago is not relied on. */
  static final long PEER_HEARD_MILLIS = 5_000;

  private final String leafId;
  private final String replicaGroup;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final LeavesFollower peers;
  private final Map<TopicPartition, LeafShard> handed = new LinkedHashMap<>();
  /** Per handed partition: since when (epoch ms) a peer has announced it serving. */
  private final Map<TopicPartition, Long> peerServingSince = new HashMap<>();
  private long graceEndMillis;

  PartitionHandoff(String bootstrap, String leafId, String replicaGroup, LeavesFollower peers) {
    this.leafId = leafId;
    this.replicaGroup = replicaGroup;
    this.peers = peers;
    this.consumer = new KafkaConsumer<>(
        LogApplier.logReaderConfig(bootstrap, leafId + "-handoff"));
  }

  /** Starts following the peers' announcements. */
  void start() {
    peers.start();
  }

  /** Keeps applying {@code shard} (partition {@code tp}) from its stored offset until a peer serves. */
  void add(TopicPartition tp, LeafShard shard) {
    if (handed.containsKey(tp)) {
      return;
    }
    shard.handOff();
    handed.put(tp, shard);
    peerServingSince.remove(tp);
    consumer.assign(List.copyOf(handed.keySet()));
    consumer.seek(tp, shard.nextOffset());
    LOG.info("leaf {}: handing {} off at offset {}; serving it until another leaf of group {} "
        + "does", leafId, shard, shard.nextOffset(), replicaGroup);
  }

  /**
   * The group gave {@code tp} back: stops applying it here. Returns whether it was handed off
   * (the caller then resumes it in the group's consumer from the shard's stored offset).
   */
  boolean take(TopicPartition tp) {
    LeafShard shard = handed.remove(tp);
    if (shard == null) {
      return false;
    }
    peerServingSince.remove(tp);
    consumer.assign(List.copyOf(handed.keySet()));
    return true;
  }

  boolean isEmpty() {
    return handed.isEmpty();
  }

  /** The shard of a handed-off partition, or null. */
  LeafShard shard(TopicPartition tp) {
    return handed.get(tp);
  }

  /** The consumer of the handed-off partitions (the applier's thread only). */
  KafkaConsumer<byte[], byte[]> consumer() {
    return consumer;
  }

  /** Polls the handed-off partitions (nothing when there are none). */
  ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    return handed.isEmpty() ? ConsumerRecords.empty() : consumer.poll(timeout);
  }

  /** Sets the handed-off shards' end offsets from the consumer's fetch lag, where it knows it. */
  void refreshEndOffsets() {
    for (Map.Entry<TopicPartition, LeafShard> e : handed.entrySet()) {
      LogApplier.endFromLag(consumer, e.getKey(), e.getValue());
    }
  }

  /**
   * Lets go of the partitions a peer has served long enough. Returns whether any was released
   * (the leaf then announces itself).
   */
  boolean releaseServed(long now) {
    if (handed.isEmpty()) {
      return false;
    }
    Map<String, LeafAnnouncement> latest = peers.latest();
    Set<String> heard = peers.heardWithin(PEER_HEARD_MILLIS);
    List<TopicPartition> released = new ArrayList<>();
    for (Map.Entry<TopicPartition, LeafShard> e : handed.entrySet()) {
      if (!peerServes(e.getValue(), latest.values(), heard)) {
        peerServingSince.remove(e.getKey());
        continue;
      }
      long since = peerServingSince.computeIfAbsent(e.getKey(), k -> now);
      if (now - since >= PEER_SERVING_MILLIS) {
        released.add(e.getKey());
      }
    }
    for (TopicPartition tp : released) {
      LeafShard shard = handed.remove(tp);
      peerServingSince.remove(tp);
      graceEndMillis = Math.max(graceEndMillis, now + RELEASE_GRACE_MILLIS);
      shard.released(now + RELEASE_GRACE_MILLIS);
      LOG.info("leaf {}: released {} at offset {}: another leaf of group {} serves it", leafId,
          shard, shard.nextOffset(), replicaGroup);
    }
    if (!released.isEmpty()) {
      consumer.assign(List.copyOf(handed.keySet()));
    }
    return !released.isEmpty();
  }

  /** When the last released partition stops answering fragments (epoch ms; 0: none released). */
  long graceEndMillis() {
    return graceEndMillis;
  }

  private boolean peerServes(LeafShard shard, Collection<LeafAnnouncement> latest,
      Set<String> heard) {
    for (LeafAnnouncement a : latest) {
      if (a.leafId().equals(leafId) || a.draining() || !a.replicaGroup().equals(replicaGroup)
          || !heard.contains(a.leafId())) {
        continue;
      }
      for (LeafAnnouncement.Shard s : a.shards()) {
        if (s.partition() == shard.partition() && s.collection().equals(shard.collection())
            && s.assigned() && !s.catchingUp()) {
          return true;
        }
      }
    }
    return false;
  }

  /** Makes a poll in progress (or the next one) throw {@code WakeupException}: the leaf stops. */
  void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    try {
      consumer.close(Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      LOG.warn("leaf {}: closing the hand-off consumer: {}", leafId, e.toString());
    }
    peers.close();
  }
}
