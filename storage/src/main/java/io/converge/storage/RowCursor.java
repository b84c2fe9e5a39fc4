package io.converge.storage;

import io.converge.storage.index.TailSegment;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Iterates the live rows of a {@link CollectionSnapshot} segment by segment, loading one column
 * segment per requested field at a time, so memory stays bounded by one segment whatever the
 * collection's size.
 */
public final class RowCursor {
  private final CollectionSnapshot snapshot;
  private final int[] fieldIds;
  private final Object[][] columns;
  private final int segments;
  private int segment = -1;
  private IntIterator offsets;
  private int offset;

  /** Rids to visit (null = every live row). */
  private final RoaringBitmap only;

  RowCursor(CollectionSnapshot snapshot, int[] fieldIds) {
    this(snapshot, fieldIds, null);
  }

  RowCursor(CollectionSnapshot snapshot, int[] fieldIds, RoaringBitmap only) {
    this.snapshot = snapshot;
    this.only = only;
    this.fieldIds = fieldIds;
    this.columns = new Object[fieldIds.length][];
    this.segments = snapshot.segmentCount();
  }

  /** Advances to the next live row; false at the end. */
  public boolean next() {
    while (offsets == null || !offsets.hasNext()) {
      if (++segment >= segments) {
        return false;
      }
      RoaringBitmap live = snapshot.liveOffsets(segment);
      if (live == null || live.isEmpty()) {
        offsets = null;
        continue;
      }
      if (only != null) {
        long base = (long) segment << TailSegment.SEGMENT_BITS;
        if (base > Integer.MAX_VALUE) {
          return false;
        }
        RoaringBitmap wanted = RoaringBitmap.bitmapOfRange(base,
            base + TailSegment.SEGMENT_ROWS);
        wanted.and(only);
        if (wanted.isEmpty()) {
          offsets = null;
          continue;
        }
        RoaringBitmap shifted = new RoaringBitmap();
        wanted.forEach((int rid) -> shifted.add(rid - (int) base));
        live = RoaringBitmap.and(live, shifted);
        if (live.isEmpty()) {
          offsets = null;
          continue;
        }
      }
      int written = snapshot.inMemoryCount(segment);
      if (written >= 0 && written < TailSegment.SEGMENT_ROWS) {
        live = RoaringBitmap.and(live, RoaringBitmap.bitmapOfRange(0, written));
      }
      for (int i = 0; i < fieldIds.length; i++) {
        columns[i] = snapshot.column(fieldIds[i], segment);
      }
      offsets = live.getIntIterator();
    }
    offset = offsets.next();
    return true;
  }

  /** Value of the i-th requested path in the current row (null when missing). */
  public Object get(int i) {
    Object[] col = columns[i];
    return col == null || offset >= col.length ? null : col[offset];
  }

  /** The current row's rid. */
  public long rid() {
    return ((long) segment << TailSegment.SEGMENT_BITS) | offset;
  }

  public int width() {
    return fieldIds.length;
  }
}
