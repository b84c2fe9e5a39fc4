package io.converge.cluster.leaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.log.ClusterTopics;
import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard's time lag, as {@code cluster status} shows it. */
class LeafShardLagTest {
  @TempDir
  Path dir;

  @Test
  void lagInMillisIsUnknownThenZeroWhenCaughtUpThenBoundedByTheLastMomentItHeldEverything()
      throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      LeafShard s = new LeafShard("items", 0,
          store.getOrCreate(ClusterTopics.shardCollection("items", 0)));
      long now = System.currentTimeMillis();
      assertEquals(-1, s.lagMillis(now), "no end offset known yet");
      s.endOffset(5);
      assertEquals(-1, s.lagMillis(now), "behind since start, nothing applied: not known");
      s.applied(3, now - 40_000);
      assertEquals(40_000, s.lagMillis(now), 1, "bounded by the last record applied");
      s.applied(5, now - 30_000);
      assertEquals(0, s.lagMillis(System.currentTimeMillis()), "caught up");
      long caughtUp = System.currentTimeMillis();
      s.endOffset(9); // records arrived since
      long later = caughtUp + 2_500;
      long lag = s.lagMillis(later);
      assertTrue(lag >= 2_400 && lag <= 2_500, "since it last held everything: " + lag);
    }
  }

  @Test
  void anAssignedShardServesOnceWithinItsServingLagAndThenKeepsServing() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      LeafShard s = new LeafShard("items", 1,
          store.getOrCreate(ClusterTopics.shardCollection("items", 1)));
      long now = System.currentTimeMillis();
      assertTrue(!s.catchingUp(now), "an unassigned shard is not catching up: it does not serve");
      s.assigned(true);
      assertTrue(s.catchingUp(now), "the log's end is not known yet");
      s.endOffset(100);
      s.applied(10, now - 60_000); // a restart applying records a minute old
      assertTrue(s.catchingUp(now));
      s.applied(90, now - 1_000);
      assertTrue(!s.catchingUp(now), "within the serving lag");
      s.endOffset(100_000); // a burst of writes: it keeps serving
      assertTrue(!s.catchingUp(now + 60_000));
      s.assigned(false);
      s.assigned(true); // assigned again (a rebalance): it must catch up again
      assertTrue(s.catchingUp(now + 60_000));
    }
  }

  @Test
  void aCaughtUpShardWaitsForTheLeafsWarmUpBeforeItServes() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      boolean[] warm = {false};
      LeafShard s = new LeafShard("items", 2,
          store.getOrCreate(ClusterTopics.shardCollection("items", 2)), () -> warm[0]);
      long now = System.currentTimeMillis();
      s.assigned(true);
      s.endOffset(10);
      s.applied(10, now);
      assertTrue(s.catchingUp(now), "caught up, but the leaf is still cold");
      warm[0] = true;
      assertTrue(!s.catchingUp(now), "warm and caught up: it serves");
      warm[0] = false; // only the start waits for it
      assertTrue(!s.catchingUp(now));
    }
  }
}
