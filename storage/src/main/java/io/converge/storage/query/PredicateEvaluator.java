package io.converge.storage.query;

import io.converge.storage.CollectionSnapshot;
import org.roaringbitmap.RoaringBitmap;

/** Evaluates {@link Predicate}s against one snapshot. */
public final class PredicateEvaluator {
  private final CollectionSnapshot snapshot;

  public PredicateEvaluator(CollectionSnapshot snapshot) {
    this.snapshot = snapshot;
  }

  public RoaringBitmap select(Predicate p) {
    throw new UnsupportedOperationException("being written");
  }

  public long estimate(Predicate p) {
    throw new UnsupportedOperationException("being written");
  }
}
