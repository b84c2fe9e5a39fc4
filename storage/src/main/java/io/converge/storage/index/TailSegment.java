package io.converge.storage.index;

import java.util.Arrays;

/**
 * The open segment of a collection: the newest rid range, held in memory column by column until it
 * fills and is sealed into RocksDB. Writing a document costs an array store per field instead of a
 * segment rewrite. After a restart the tail is rebuilt from the row store.
 *
 * <p>Only the writer mutates it, under the collection lock, and only at offsets at or past
 * {@link #count()}; readers work on a {@link View} taken under the same lock, so they never see a
 * half-written row.
 */
public final class TailSegment {
  public static final int SEGMENT_BITS = 16;
  public static final int SEGMENT_ROWS = 1 << SEGMENT_BITS;

  private final int segment;
  private int count;
  /** Indexed by field id; null where a field has no value in this segment. */
  private Object[][] columns = new Object[16][];

  public TailSegment(int segment) {
    this.segment = segment;
  }

  public int segment() {
    return segment;
  }

  public long baseRid() {
    return (long) segment << SEGMENT_BITS;
  }

  public int count() {
    return count;
  }

  public boolean isFull() {
    return count == SEGMENT_ROWS;
  }

  /** Marks rows up to {@code offset} as present (their fields may all be missing). */
  public void extendTo(int offset) {
    count = Math.max(count, offset + 1);
  }

  public void set(int fieldId, int offset, Object value) {
    if (fieldId >= columns.length) {
      columns = Arrays.copyOf(columns, Math.max(fieldId + 1, columns.length * 2));
    }
    Object[] col = columns[fieldId];
    if (col == null || col.length <= offset) {
      int size = col == null ? 1024 : col.length;
      while (size <= offset) {
        size *= 2;
      }
      // A new array, so views holding the old one keep a stable prefix.
      col = col == null ? new Object[Math.min(size, SEGMENT_ROWS)]
          : Arrays.copyOf(col, Math.min(size, SEGMENT_ROWS));
      columns[fieldId] = col;
    }
    col[offset] = value;
  }

  public Object get(int fieldId, int offset) {
    Object[] col = fieldId < columns.length ? columns[fieldId] : null;
    return col == null || offset >= col.length ? null : col[offset];
  }

  /** Field id -> values (null for absent fields), for sealing. Arrays may be longer than {@link #count()}. */
  public Object[][] columns() {
    return columns;
  }

  public View view() {
    return new View(segment, count, columns.clone());
  }

  /** A reader's frozen picture of the tail: rows below {@code count} never change. */
  public record View(int segment, int count, Object[][] columns) {
    public Object[] column(int fieldId) {
      return fieldId < columns.length ? columns[fieldId] : null;
    }
  }
}
