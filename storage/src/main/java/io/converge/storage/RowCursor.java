package io.converge.storage;

import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.index.TailSegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
  /** Current segment's values per field: boxed for in-memory segments, vectors for sealed ones. */
  private final Object[][] columns;
  private final ColumnVector[] vectors;
  private final int segments;
  private int segment = -1;
  private IntIterator offsets;
  private int offset;

  /**
   * A sealed segment with at most this many selected rows may be read from the row store (a
   * multi-get of whole documents) instead of decoding each requested column segment whole: a
   * needle query touches a few rows in many segments. Whether it is depends on what is cached and
   * how often the segment was read so (see CollectionSnapshot#readsVectors).
   */
  static final int ROW_STORE_MAX_ROWS = 2048;

  /** Rids to visit (null = every live row). */
  private final RoaringBitmap only;
  private final List<String> paths;
  /** Values of the selected rows of the current segment when read from the row store. */
  private Object[][] sparse;
  private int sparsePos;
  /**
   * The next row-store segment, read on another thread while this thread reads the current one:
   * a needle's rows are spread over every segment, and their reads are its whole cost.
   */
  private CompletableFuture<Object[][]> ahead;
  private int aheadSegment = -1;
  /** Selected offsets of a segment computed while looking ahead (reused when reached). */
  private RoaringBitmap peeked;
  private int peekedSegment = -1;
  /** The last segment {@link #fromRowStore} decided, and its decision. */
  private int decidedSegment = -1;
  private boolean decidedRowStore;

  RowCursor(CollectionSnapshot snapshot, int[] fieldIds) {
    this(snapshot, fieldIds, null, null);
  }

  RowCursor(CollectionSnapshot snapshot, int[] fieldIds, List<String> paths, RoaringBitmap only) {
    this.snapshot = snapshot;
    this.only = only;
    this.paths = paths;
    this.fieldIds = fieldIds;
    this.columns = new Object[fieldIds.length][];
    this.vectors = new ColumnVector[fieldIds.length];
    this.segments = snapshot.segmentCount();
  }

  /** Advances to the next live row; false at the end. */
  public boolean next() {
    while (offsets == null || !offsets.hasNext()) {
      if (++segment >= segments) {
        return false;
      }
      snapshot.guard().check();
      RoaringBitmap live = offsetsOf(segment);
      if (live.isEmpty()) {
        offsets = null;
        continue;
      }
      sparse = null;
      if (fromRowStore(segment, live)) {
        sparse = rowStoreValues(segment, live);
        sparsePos = -1;
      } else if (snapshot.isSealed(segment)) {
        for (int i = 0; i < fieldIds.length; i++) {
          columns[i] = null;
          vectors[i] = snapshot.vector(fieldIds[i], segment);
        }
      } else {
        for (int i = 0; i < fieldIds.length; i++) {
          columns[i] = snapshot.column(fieldIds[i], segment);
          vectors[i] = null;
        }
      }
      offsets = live.getIntIterator();
    }
    offset = offsets.next();
    sparsePos++;
    return true;
  }

  private RoaringBitmap offsetsOf(int seg) {
    if (seg == peekedSegment) {
      return peeked;
    }
    return snapshot.selectedOffsets(seg, only);
  }

  /**
   * Whether a segment's selected rows are read from the row store. Asked twice for a segment
   * that was looked ahead at; decided once (the decision counts the segment's row-store reads).
   */
  private boolean fromRowStore(int seg, RoaringBitmap live) {
    if (seg == decidedSegment) {
      return decidedRowStore;
    }
    decidedSegment = seg;
    decidedRowStore = only != null && snapshot.inMemoryCount(seg) < 0
        && live.getCardinality() <= ROW_STORE_MAX_ROWS
        && !snapshot.readsVectors(fieldIds, seg, live.getCardinality());
    return decidedRowStore;
  }

  /**
   * The selected rows of a row-store segment. Segments pair up: when the current one was not
   * read ahead, the next row-store segment is started on another thread and this one read here;
   * the next one is then taken from that thread. Both cores read rows.
   */
  private Object[][] rowStoreValues(int seg, RoaringBitmap live) {
    if (ahead != null && aheadSegment == seg) {
      CompletableFuture<Object[][]> f = ahead;
      ahead = null;
      try {
        return f.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : e;
      }
    }
    int next = seg + 1;
    while (next < segments) {
      RoaringBitmap l = snapshot.selectedOffsets(next, only);
      if (!l.isEmpty()) {
        peeked = l;
        peekedSegment = next;
        if (fromRowStore(next, l)) {
          int s = next;
          ahead = snapshot.readAsync(() -> snapshot.rowValues(s, l, paths));
          aheadSegment = next;
        }
        break;
      }
      next++;
    }
    return snapshot.rowValues(seg, live, paths);
  }

  /** Value of the i-th requested path in the current row (null when missing). */
  public Object get(int i) {
    if (sparse != null) {
      return sparse[i][sparsePos];
    }
    ColumnVector v = vectors[i];
    if (v != null) {
      return v.get(offset);
    }
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
