package io.converge.cluster.leaf;

import java.time.Duration;

/** Holds and resumes a leaf's applying from tests in other packages. */
public final class LeafApplying {
  private LeafApplying() {}

  /**
   * Holds {@code leaf}'s applying and returns once it is held: no record polled from then on is
   * applied until {@link #resume}, while the leaf keeps serving what it holds.
   */
  public static void hold(LeafNode leaf, Duration timeout) throws InterruptedException {
    leaf.pauseApplying(true);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!leaf.applyingPaused()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("leaf " + leaf.leafId() + " did not hold applying within "
            + timeout);
      }
      Thread.sleep(10);
    }
  }

  /** Resumes {@code leaf}'s applying (it catches up from where it was held). */
  public static void resume(LeafNode leaf) {
    leaf.pauseApplying(false);
  }
}
