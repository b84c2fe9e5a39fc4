package io.converge.cluster.aggregator.view;

import io.converge.cluster.log.LeafAnnouncement;
import java.util.List;
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
 * @param heard the leaves whose announcement arrived lately ({@link #HEARD_MILLIS}): what keeps a
 *     leaf that left its group to drain, and hands its partitions over, in the routing
 */
record LeafState(Map<String, LeafAnnouncement> announcements, Map<String, Set<String>> members,
    Set<String> heard) {
  static final LeafState EMPTY = new LeafState(Map.of(), Map.of(), Set.of());
  /** Leaves announce about every second; a handing-off leaf silent longer than this is gone. */
  static final long HEARD_MILLIS = 5_000;

  /**
   * A member silent this long is shown {@code silent} and routed to only when no replica of the
   * partition was heard: a leaf killed outright stays a member of its group until its session
   * times out (10 s, and a group emptied by it is kept a while longer), but stops announcing
   * (about every second) at once.
   */
  static final long SILENT_MILLIS = 3_000;

  /**
   * Drops from {@code servers} the leaves not {@code heard} lately, unless that would drop them
   * all: a replica that keeps announcing itself answers, one killed a moment ago would only make
   * the query try again elsewhere.
   */
  static void preferHeard(List<LeafAnnouncement> servers, Set<String> heard) {
    if (servers.size() > 1 && servers.stream().anyMatch(a -> heard.contains(a.leafId()))) {
      servers.removeIf(a -> !heard.contains(a.leafId()));
    }
  }

  /**
   * A leaf's state as {@code cluster status} shows it.
   *
   * @param silentMillis time since the view read its latest announcement (-1: never)
   * @param assigned the partitions it owns or hands over
   * @param serving those of them it serves
   */
  static String describe(boolean alive, boolean draining, long silentMillis, int assigned,
      int serving) {
    if (!alive) {
      return "dead";
    }
    if (silentMillis > SILENT_MILLIS) {
      return "silent " + (silentMillis / 1_000) + " s";
    }
    return draining ? "draining" : assigned == 0 ? "idle"
        : serving < assigned ? "catching up" : "serving";
  }

  LeafState(Map<String, LeafAnnouncement> announcements, Map<String, Set<String>> members) {
    this(announcements, members, Set.of());
  }

  boolean alive(String leafId) {
    return members.containsKey(leafId);
  }

  /** Alive in its group, or a draining leaf (it left its group) that still announces itself. */
  boolean present(LeafAnnouncement a) {
    return members.containsKey(a.leafId()) || (a.draining() && heard.contains(a.leafId()));
  }

  /**
   * Whether the leaf's consumer owns the partition and the leaf says it holds it assigned and
   * caught up (within its serving lag), or the leaf, present, says it hands the partition over
   * (it applies it until a peer serves it).
   */
  boolean serves(LeafAnnouncement a, String topic, String collection, int partition) {
    Set<String> owned = members.get(a.leafId());
    boolean owns = owned != null && owned.contains(topic + ":" + partition);
    for (LeafAnnouncement.Shard s : a.shards()) {
      if (s.partition() != partition || !s.collection().equals(collection)) {
        continue;
      }
      if (owns && s.assigned() && !s.catchingUp()) {
        return true;
      }
      return s.handingOff() && present(a);
    }
    return false;
  }

  /**
   * Whether the leaf, alive, announces the partition assigned and caught up (or handed over)
   * whatever the membership listing says: the listing, polled about every second, and the
   * announcements arrive apart, so during a move the listing can already show a partition gone
   * from its old owner before that owner's announcement says it hands it over. Asked only when no
   * leaf {@link #serves} the partition; a leaf that no longer answers it says so, and the query
   * tries another.
   */
  boolean claims(LeafAnnouncement a, String collection, int partition) {
    if (!present(a)) {
      return false;
    }
    for (LeafAnnouncement.Shard s : a.shards()) {
      if (s.partition() == partition && s.collection().equals(collection)) {
        return (s.assigned() && !s.catchingUp()) || s.handingOff();
      }
    }
    return false;
  }
}
