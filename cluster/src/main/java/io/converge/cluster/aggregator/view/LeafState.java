package io.converge.cluster.aggregator.view;

import io.converge.cluster.log.LeafAnnouncement;
import java.util.Map;
import java.util.Set;

/**
 * What the view knows of the leaves at one instant: their latest announcements and the members of
 * the replica groups' consumer groups (by {@code group.instance.id}) with their assigned
 * partitions. Immutable; the view swaps in a new one on every change.
 *
 * @param announcements latest announcement per leaf id (a leaf that stopped cleanly is absent)
 * @param members per leaf id (= group.instance.id), the "topic:partition"s its consumer owns;
 *     a leaf is alive exactly when it is a key here
 */
record LeafState(Map<String, LeafAnnouncement> announcements, Map<String, Set<String>> members) {
  static final LeafState EMPTY = new LeafState(Map.of(), Map.of());

  boolean alive(String leafId) {
    return members.containsKey(leafId);
  }

  /**
   * Whether the leaf's consumer owns the partition and the leaf says it holds it assigned and
   * caught up (within its serving lag).
   */
  boolean serves(LeafAnnouncement a, String topic, String collection, int partition) {
    Set<String> owned = members.get(a.leafId());
    if (owned == null || !owned.contains(topic + ":" + partition)) {
      return false;
    }
    for (LeafAnnouncement.Shard s : a.shards()) {
      if (s.assigned() && !s.catchingUp() && s.partition() == partition
          && s.collection().equals(collection)) {
        return true;
      }
    }
    return false;
  }
}
