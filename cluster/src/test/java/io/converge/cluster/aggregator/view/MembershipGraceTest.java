package io.converge.cluster.aggregator.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.converge.cluster.log.LeafAnnouncement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A replica group listed empty keeps its members for a session; a group listed is taken as is. */
class MembershipGraceTest {
  private static final Map<String, LeafAnnouncement> ANNOUNCED = Map.of(
      "a0", leaf("a0", "g0"), "a1", leaf("a1", "g0"), "b0", leaf("b0", "g1"));
  private static final Map<String, Set<String>> ALL = Map.of(
      "a0", Set.of("t:0"), "a1", Set.of("t:1"), "b0", Set.of("t:0", "t:1"));

  @Test
  void anEmptyListingAfterABrokerRestartKeepsEveryLeafForASession() {
    MembershipGrace grace = new MembershipGrace();
    assertEquals(ALL, grace.apply(ALL, Map.of(), ANNOUNCED, 1_000));
    assertEquals(ALL, grace.apply(ALL, Map.of(), ANNOUNCED, 1_000 + 9_999));
    assertEquals(Map.of(), grace.apply(ALL, Map.of(), ANNOUNCED, 1_000 + 10_000),
        "after a session they are gone, as Kafka would say");
  }

  @Test
  void aGroupStillListedIsTakenAsListedAndOthersKeepTheirs() {
    MembershipGrace grace = new MembershipGrace();
    Map<String, Set<String>> listed = Map.of("a0", Set.of("t:0", "t:1"));
    Map<String, Set<String>> out = grace.apply(ALL, listed, ANNOUNCED, 5_000);
    assertEquals(Map.of("a0", Set.of("t:0", "t:1"), "b0", Set.of("t:0", "t:1")), out,
        "a1 left g0, which still lists a member; g1 listed empty keeps b0");
    assertEquals(Map.of("a0", Set.of("t:0", "t:1"), "b0", Set.of("t:0", "t:1")),
        grace.apply(out, listed, ANNOUNCED, 6_000), "the grace runs from the first miss");
    assertEquals(listed, grace.apply(out, listed, ANNOUNCED, 15_000));
  }

  @Test
  void aLeafThatRetractedItsAnnouncementIsNotKept() {
    MembershipGrace grace = new MembershipGrace();
    Map<String, LeafAnnouncement> withoutB = Map.of("a0", leaf("a0", "g0"), "a1",
        leaf("a1", "g0"));
    assertEquals(Map.of(), grace.apply(Map.of("b0", Set.of("t:0")), Map.of(), withoutB, 1_000));
  }

  private static LeafAnnouncement leaf(String id, String group) {
    return new LeafAnnouncement(id, group, "127.0.0.1", 1, 1, 0, List.of());
  }
}
