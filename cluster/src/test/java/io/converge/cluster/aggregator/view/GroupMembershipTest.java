package io.converge.cluster.aggregator.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A rebalancing group's members, described without assignments, keep what they owned. */
class GroupMembershipTest {
  private static final Map<String, Set<String>> BEFORE = Map.of(
      "leaf-a", Set.of("t:0", "t:1"), "leaf-b", Set.of("t:2"));

  @Test
  void membersOfARebalancingGroupListedOwningNothingKeepTheirPartitions() {
    Map<String, Set<String>> listed = Map.of("leaf-a", Set.of(), "leaf-b", Set.of(),
        "leaf-c", Set.of());
    Map<String, Set<String>> out = GroupMembership.keepThroughRebalance(listed,
        Set.of("leaf-a", "leaf-b", "leaf-c"), BEFORE);
    assertEquals(Map.of("leaf-a", Set.of("t:0", "t:1"), "leaf-b", Set.of("t:2"),
        "leaf-c", Set.of()), out);
  }

  @Test
  void aStableGroupIsTakenAsListedAndAMemberThatLeftIsGone() {
    Map<String, Set<String>> listed = Map.of("leaf-a", Set.of());
    assertEquals(listed, GroupMembership.keepThroughRebalance(listed, Set.of(), BEFORE));
    Map<String, Set<String>> rebalancing = Map.of("leaf-a", Set.of("t:0"));
    assertEquals(rebalancing, GroupMembership.keepThroughRebalance(rebalancing, Set.of("leaf-a"),
        BEFORE), "a listed assignment wins");
  }
}
