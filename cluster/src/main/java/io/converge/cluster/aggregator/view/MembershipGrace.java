package io.converge.cluster.aggregator.view;

import io.converge.cluster.log.LeafAnnouncement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the members of a replica group that a membership listing suddenly shows empty, for a
 * grace as long as a leaf's session: right after a Kafka broker restarts, it lists the leaves'
 * consumer groups before their members have rejoined, and taking that as "every leaf is dead"
 * would fail every query for the seconds the rejoin takes, while the leaves serve all along.
 * A group that still lists members is taken as listed (a leaf that left it is gone); a leaf
 * that stopped cleanly has retracted its announcement and is not kept.
 */
final class MembershipGrace {
  /** As long as a leaf's session timeout: Kafka itself keeps a silent static member this long. */
  static final long GRACE_MILLIS = 10_000;

  /** Per leaf id kept, since when the listing has not shown it. */
  private final Map<String, Long> missingSince = new HashMap<>();

  /**
   * The membership to use: {@code listed}, plus the previous members of every replica group that
   * {@code listed} shows without members, for {@link #GRACE_MILLIS} after they went missing.
   */
  synchronized Map<String, Set<String>> apply(Map<String, Set<String>> previous,
      Map<String, Set<String>> listed, Map<String, LeafAnnouncement> announcements, long now) {
    Set<String> groupsListed = new HashSet<>();
    for (String id : listed.keySet()) {
      LeafAnnouncement a = announcements.get(id);
      if (a != null) {
        groupsListed.add(a.replicaGroup());
      }
      missingSince.remove(id);
    }
    Map<String, Set<String>> out = new HashMap<>(listed);
    for (Map.Entry<String, Set<String>> e : previous.entrySet()) {
      String id = e.getKey();
      LeafAnnouncement a = announcements.get(id);
      if (listed.containsKey(id) || a == null || groupsListed.contains(a.replicaGroup())) {
        missingSince.remove(id);
        continue;
      }
      long since = missingSince.computeIfAbsent(id, k -> now);
      if (now - since < GRACE_MILLIS) {
        out.put(id, e.getValue());
      } else {
        missingSince.remove(id);
      }
    }
    missingSince.keySet().retainAll(out.keySet());
    return out;
  }
}
