package io.converge.cluster.aggregator.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.log.LeafAnnouncement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which leaf serves a partition: a member owning it, announced assigned and caught up. */
class LeafStateTest {
  private static final String TOPIC = "converge.data.items";

  @Test
  void aShardCatchingUpIsNotServedAndAnOwnedCaughtUpOneIs() {
    LeafAnnouncement a = new LeafAnnouncement("leaf-a", "g0", "127.0.0.1", 1, 2, 3, List.of(
        new LeafAnnouncement.Shard("items", 0, true, 10, 10, 5, List.of(), 0, false),
        new LeafAnnouncement.Shard("items", 1, true, 10, 900, 5, List.of(), 60_000, true),
        new LeafAnnouncement.Shard("items", 2, false, 10, 10, 5, List.of(), 0, false)));
    LeafState state = new LeafState(Map.of("leaf-a", a),
        Map.of("leaf-a", Set.of(TOPIC + ":0", TOPIC + ":1", TOPIC + ":2")));
    assertTrue(state.serves(a, TOPIC, "items", 0));
    assertFalse(state.serves(a, TOPIC, "items", 1), "catching up");
    assertFalse(state.serves(a, TOPIC, "items", 2), "not announced assigned");
    LeafState notMember = new LeafState(Map.of("leaf-a", a), Map.of());
    assertFalse(notMember.serves(a, TOPIC, "items", 0), "not a live member");
  }

  @Test
  void aLiveLeafClaimsWhatItAnnouncesServingWhenTheListingLagsBehind() {
    LeafAnnouncement a = new LeafAnnouncement("leaf-a", "g0", "127.0.0.1", 1, 2, 3, List.of(
        new LeafAnnouncement.Shard("items", 0, true, 10, 10, 5, List.of(), 0, false),
        new LeafAnnouncement.Shard("items", 1, true, 10, 900, 5, List.of(), 60_000, true)));
    // the listing already shows partition 0 gone: the leaf's announcement says it serves it
    LeafState state = new LeafState(Map.of("leaf-a", a), Map.of("leaf-a", Set.of(TOPIC + ":1")));
    assertFalse(state.serves(a, TOPIC, "items", 0));
    assertTrue(state.claims(a, "items", 0));
    assertFalse(state.claims(a, "items", 1), "catching up");
    assertFalse(state.claims(a, "items", 2), "not announced");
    LeafState notMember = new LeafState(Map.of("leaf-a", a), Map.of());
    assertFalse(notMember.claims(a, "items", 0), "not a live member");
  }

  @Test
  void statusStatesAndASilentMember() {
    assertEquals("dead", LeafState.describe(false, false, 0, 4, 4));
    assertEquals("serving", LeafState.describe(true, false, 900, 4, 4));
    assertEquals("catching up", LeafState.describe(true, false, 900, 4, 3));
    assertEquals("idle", LeafState.describe(true, false, 900, 0, 0));
    assertEquals("draining", LeafState.describe(true, true, 900, 4, 4));
    assertEquals("silent 7 s", LeafState.describe(true, false, 7_400, 4, 4),
        "a member that stopped announcing (killed, its session not yet expired)");
  }

  @Test
  void aReplicaHeardLatelyIsPreferredToASilentOneButNeverToNone() {
    LeafAnnouncement a = new LeafAnnouncement("leaf-a", "g0", "127.0.0.1", 1, 2, 3, List.of());
    LeafAnnouncement b = new LeafAnnouncement("leaf-b", "g1", "127.0.0.1", 1, 2, 3, List.of());
    List<LeafAnnouncement> servers = new java.util.ArrayList<>(List.of(a, b));
    LeafState.preferHeard(servers, Set.of("leaf-b"));
    assertEquals(List.of(b), servers);
    servers = new java.util.ArrayList<>(List.of(a, b));
    LeafState.preferHeard(servers, Set.of());
    assertEquals(List.of(a, b), servers, "none heard: all stay");
  }
}
