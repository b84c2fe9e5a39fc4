package io.converge.storage.exec;

import io.converge.storage.guard.QueryGuard;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.roaringbitmap.RoaringBitmap;

/**
 * Top-N by column values: the rids of the {@code limit} first rows of a snapshot (optionally
 * restricted to some rids) in the order of one or more sort keys, ties broken by rid so the
 * answer is deterministic. Reads only the key columns, one segment at a time, and keeps at most
 * {@code limit} candidates; the caller then reads the chosen rows' other columns with
 * {@link io.converge.storage.CollectionSnapshot#scan(List, RoaringBitmap)}.
 *
 * <p>Values are compared as the SQL layer sees them ({@link Order}), not in storage order: a
 * planner pushes a sort here only when its own comparison of the column's values is this one.
 */
public final class TopNSelector {
  /** How the values of a key column are compared. A value of another kind counts as null. */
  public enum Order {
    /** Long values, numerically. */
    LONG,
    /** Long and Double values, as doubles ({@link Double#compare}; a long is rounded first). */
    DOUBLE,
    /** Strings by UTF-16 code unit ({@link String#compareTo}). */
    STRING,
    /** false before true. */
    BOOLEAN,
    /** Instants by their epoch millisecond (floor): sub-millisecond digits tie. */
    TIMESTAMP_MILLIS
  }

  /**
   * One sort key.
   *
   * @param path field path, {@code _id} or {@code _event_time}
   * @param order value comparison
   * @param descending largest first
   * @param nullsFirst nulls (missing values, and values not of {@code order}'s kind) before all
   *     others, whatever the direction
   */
  public record Key(String path, Order order, boolean descending, boolean nullsFirst) {}

  private TopNSelector() {}

  /** {@link #select(SegmentSource, List, long, RoaringBitmap)} of one key. */
  public static RoaringBitmap select(SegmentSource s, String path, Order order,
      boolean descending, boolean nullsFirst, long limit, RoaringBitmap ridsOrNull) {
    return select(s, List.of(new Key(path, order, descending, nullsFirst)), limit, ridsOrNull);
  }

  /**
   * The rids of the first {@code limit} live rows (of {@code ridsOrNull}, when not null) ordered
   * by {@code keys}, then by rid.
   */
  public static RoaringBitmap select(SegmentSource s, List<Key> keys, long limit,
      RoaringBitmap ridsOrNull) {
    RoaringBitmap out = new RoaringBitmap();
    if (limit <= 0 || keys.isEmpty()) {
      return out;
    }
    int n = (int) Math.min(limit, Integer.MAX_VALUE - 8);
    int[] fieldIds = new int[keys.size()];
    for (int k = 0; k < fieldIds.length; k++) {
      fieldIds[k] = s.fieldId(keys.get(k).path());
    }
    Comparator<Candidate> order = comparator(keys);
    // worst candidate on top, so each better row replaces it
    PriorityQueue<Candidate> heap = new PriorityQueue<>(Math.min(n, 1 << 16) + 1,
        order.reversed());
    Object[][] columns = new Object[keys.size()][];
    QueryGuard guard = s.guard();
    long candidateBytes = 48 + 40L * keys.size();
    long reserved = 0;
    try {
      for (int seg = 0; seg < s.segmentCount(); seg++) {
        guard.check();
        long held = heap.size() * candidateBytes;
        if (held > reserved) {
          guard.reserve(held - reserved);
          reserved = held;
        }
        selectSegment(s, seg, ridsOrNull, keys, fieldIds, columns, heap, order, n);
      }
    } finally {
      guard.release(reserved);
    }
    for (Candidate c : heap) {
      out.add(c.rid);
    }
    return out;
  }

  private static void selectSegment(SegmentSource s, int seg, RoaringBitmap ridsOrNull,
      List<Key> keys, int[] fieldIds, Object[][] columns, PriorityQueue<Candidate> heap,
      Comparator<Candidate> order, int n) {
    RoaringBitmap offsets = s.selectedOffsets(seg, ridsOrNull);
    if (offsets.isEmpty()) {
      return;
    }
    for (int k = 0; k < columns.length; k++) {
      columns[k] = s.column(fieldIds[k], seg);
    }
    long base = SegmentSource.segmentBase(seg);
    org.roaringbitmap.IntIterator it = offsets.getIntIterator();
    Object[] values = new Object[columns.length];
    while (it.hasNext()) {
      int offset = it.next();
      for (int k = 0; k < columns.length; k++) {
        Object[] col = columns[k];
        values[k] = normalize(keys.get(k).order(),
            col == null || offset >= col.length ? null : col[offset]);
      }
      Candidate c = new Candidate(values, SegmentSource.ridOf(base + offset));
      if (heap.size() < n) {
        heap.add(c);
        values = new Object[columns.length];
      } else if (order.compare(c, heap.peek()) < 0) {
        heap.poll();
        heap.add(c);
        values = new Object[columns.length];
      } // else the scratch array is reused for the next row
    }
  }

  /** A row's key values (normalized, comparable) and rid. */
  private record Candidate(Object[] values, int rid) {}

  /** The comparable form of a stored value under {@code order}, or null. */
  static Comparable<?> normalize(Order order, Object v) {
    if (v == null) {
      return null;
    }
    return switch (order) {
      case LONG -> v instanceof Long l ? l : null;
      case DOUBLE -> v instanceof Long || v instanceof Double ? ((Number) v).doubleValue() : null;
      case STRING -> v instanceof String str ? str : null;
      case BOOLEAN -> v instanceof Boolean b ? b : null;
      case TIMESTAMP_MILLIS -> v instanceof Instant t ? t.toEpochMilli() : null;
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Comparator<Candidate> comparator(List<Key> keys) {
    Key[] ks = keys.toArray(new Key[0]);
    return (a, b) -> {
      for (int k = 0; k < ks.length; k++) {
        Comparable x = (Comparable) a.values[k];
        Comparable y = (Comparable) b.values[k];
        int c;
        if (x == null || y == null) {
          c = x == y ? 0 : (x == null) == ks[k].nullsFirst() ? -1 : 1;
        } else {
          c = x.compareTo(y); // Double.compareTo: -0.0 before 0.0, as Calcite's sort
          if (ks[k].descending()) {
            c = -c;
          }
        }
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(a.rid, b.rid);
    };
  }
}
