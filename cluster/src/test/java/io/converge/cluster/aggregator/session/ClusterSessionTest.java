package io.converge.cluster.aggregator.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.aggregator.plan.ClusterConnectionProperty;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A session's reads wait for the higher of its writes' fence and what its earlier reads were
 * answered from, per collection and partition, and neither ever goes down.
 */
class ClusterSessionTest {
  private static ClusterSession session(boolean monotonic) {
    return new ClusterSession(new SessionFence(), 5_000, monotonic);
  }

  @Test
  void aReadWaitsForTheHigherOfWritesAndAnswersPerPartition() {
    ClusterSession s = session(true);
    s.fence().advance("orders", Map.of(0, 10L, 1, 3L));
    s.observer("orders").answered(Map.of(1, 8L, 2, 5L));
    assertEquals(new ReadFence(Map.of(0, 10L, 1, 8L, 2, 5L), 5_000), s.readFence("orders"));
  }

  @Test
  void anOlderAnswerNeverLowersTheFence() {
    ClusterSession s = session(true);
    ReadObserver o = s.observer("orders");
    o.answered(Map.of(0, 40L, 1, 40L));
    o.answered(Map.of(0, 12L, 1, 41L)); // a replica behind on 0 (it would have waited)
    o.answered(Map.of());
    assertEquals(Map.of(0, 40L, 1, 41L), s.readFence("orders").minOffsets());
    s.fence().advance("orders", Map.of(0, 30L));
    assertEquals(Map.of(0, 40L, 1, 41L), s.readFence("orders").minOffsets());
  }

  @Test
  void anIdLookupRaisesItsPartitionAloneAndOtherCollectionsNot() {
    ClusterSession s = session(true);
    s.observer("orders").answered(Map.of(0, 5L, 1, 5L, 2, 5L, 3, 5L));
    // a later read routed by _id to partition 2 alone
    s.observer("orders").answered(Map.of(2, 9L));
    assertEquals(Map.of(0, 5L, 1, 5L, 2, 9L, 3, 5L), s.readFence("orders").minOffsets());
    assertEquals(Map.of(2, 9L), s.readFence("orders").on(List.of(2)));
    assertSame(ReadFence.NONE, s.readFence("users"));
    s.observer("users").answered(Map.of(0, 1L));
    assertEquals(Map.of(0, 1L), s.readFence("users").minOffsets());
    assertEquals(5L, s.readFence("orders").minOffsets().get(0));
  }

  @Test
  void withMonotonicReadsOffAReadWaitsForTheSessionsWritesAlone() {
    ClusterSession s = session(false);
    s.fence().advance("orders", Map.of(0, 10L));
    s.observer("orders").answered(Map.of(0, 50L, 1, 50L));
    s.answered("orders", Map.of(0, 60L));
    assertSame(ReadObserver.NONE, s.observer("orders"));
    assertEquals(Map.of(0, 10L), s.readFence("orders").minOffsets());

    ClusterSession on = session(true);
    on.observer("orders").answered(Map.of(0, 50L));
    on.monotonicReads(false);
    assertSame(ReadFence.NONE, on.readFence("orders"), "turned off, it forgets the answers");
    on.monotonicReads(true);
    on.observer("orders").answered(Map.of(1, 2L));
    assertEquals(Map.of(1, 2L), on.readFence("orders").minOffsets());
  }

  @Test
  void noWaitMeansNoFenceAtAll() {
    ClusterSession s = new ClusterSession(new SessionFence(), 0, true);
    s.observer("orders").answered(Map.of(0, 50L));
    assertSame(ReadFence.NONE, s.readFence("orders"));
  }

  @Test
  void theConnectionPropertyIsTrueUnlessSaidFalse() {
    assertTrue(ClusterConnectionProperty.monotonicReads((String) null));
    assertTrue(ClusterConnectionProperty.monotonicReads(" "));
    assertTrue(ClusterConnectionProperty.monotonicReads("TRUE"));
    assertEquals(false, ClusterConnectionProperty.monotonicReads("false"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterConnectionProperty.monotonicReads("no"));
    assertTrue(e.getMessage().contains("monotonicReads"), e.getMessage());
  }
}
