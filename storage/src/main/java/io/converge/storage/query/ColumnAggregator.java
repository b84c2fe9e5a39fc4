package io.converge.storage.query;

import io.converge.storage.CollectionSnapshot;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/** Evaluates an {@link Aggregation} over the column segments of one snapshot. */
public final class ColumnAggregator {
  private final CollectionSnapshot snapshot;

  public ColumnAggregator(CollectionSnapshot snapshot) {
    this.snapshot = snapshot;
  }

  public List<Object[]> aggregate(Aggregation a, RoaringBitmap rids) {
    throw new UnsupportedOperationException("being written");
  }
}
