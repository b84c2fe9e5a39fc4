package io.converge.storage.exec;

import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.index.TailSegment;
import io.converge.storage.query.Predicate;
import java.util.Arrays;
import java.util.function.Function;
import org.roaringbitmap.BatchIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * The TRUE rows of one simple predicate ({@code =}, a range, {@code <>}, {@code IN}, a prefix)
 * over one segment's column vector, as tight loops: integers and timestamps against inlined
 * bounds, dictionary strings by one test per dictionary entry and a loop over the codes. Values the
 * loops do not cover (mixed segments, literals of another type) are tested one by one with
 * {@link PredicateEvaluator#test}, so every path gives the same answers. Offsets in and out are
 * relative to the segment. One instance per thread (it reuses its buffers).
 */
final class VectorFilter {
  private final int[] offsets = new int[512];
  private final int[] kept = new int[512];

  /** Rows of {@code rows} holding any value. */
  RoaringBitmap present(ColumnVector v, RoaringBitmap rows) {
    RoaringBitmap hits = new RoaringBitmap();
    forEachBatch(rows, v::isPresent, hits);
    return hits;
  }

  /** Rows of {@code rows} where the simple predicate {@code p} is TRUE. */
  RoaringBitmap matching(ColumnVector v, RoaringBitmap rows, Predicate p) {
    if (p instanceof Predicate.Compare c) {
      return matching(v, rows, c, null);
    }
    RoaringBitmap hits = new RoaringBitmap();
    if (v.kind() == ColumnVector.Kind.NULLS
        || p instanceof Predicate.In in && in.values().isEmpty()) {
      return hits;
    }
    if (v.kind() == ColumnVector.Kind.STRING_DICT
        && (p instanceof Predicate.In || p instanceof Predicate.Prefix)) {
      codesIn(v, rows, dictionaryMatches(v, p), hits);
    } else if (p instanceof Predicate.In in && v.kind() == ColumnVector.Kind.LONG
        && in.values().stream().allMatch(x -> x instanceof Long)) {
      long[] sorted = in.values().stream().mapToLong(x -> (Long) x).sorted().toArray();
      longsIn(v, rows, sorted, hits);
    } else {
      boxed(v, rows, p, hits);
    }
    return hits;
  }

  /**
   * Rows of {@code rows} where {@code compare} (and {@code second}, when not null) is TRUE. Two
   * integer bounds make one loop; other pairs test the second over the first's rows.
   */
  RoaringBitmap matching(ColumnVector v, RoaringBitmap rows, Predicate.Compare compare,
      Predicate.Compare second) {
    if (second != null) {
      long[] a = v.kind() == ColumnVector.Kind.LONG ? bounds(compare) : null;
      long[] b = a == null ? null : bounds(second);
      if (a != null && b != null) {
        RoaringBitmap hits = new RoaringBitmap();
        longsBetween(v, rows, Math.max(a[0], b[0]), Math.min(a[1], b[1]), false, hits);
        return hits;
      }
      return matching(v, matching(v, rows, compare, null), second, null);
    }
    RoaringBitmap hits = new RoaringBitmap();
    Object literal = compare.value();
    Predicate.Op op = compare.op();
    switch (v.kind()) {
      case NULLS -> { }
      case LONG -> {
        if (literal instanceof Long l) {
          longsCompared(v, rows, op, l, hits);
        } else {
          boxed(v, rows, compare, hits);
        }
      }
      case DOUBLE -> {
        if (literal instanceof Double d) {
          double x = d == 0.0d ? 0.0d : d;
          double[] values = v.doubles();
          forEachBatch(rows, o -> v.isPresent(o) && PredicateEvaluator.holds(op,
              Double.compare(values[o] == 0.0d ? 0.0d : values[o], x)), hits);
        } else {
          boxed(v, rows, compare, hits);
        }
      }
      case TIMESTAMP -> {
        if (literal instanceof java.time.Instant t && t.getNano() % 1_000_000 == 0) {
          longsCompared(v, rows, op, t.toEpochMilli(), hits);
        } else {
          boxed(v, rows, compare, hits);
        }
      }
      case STRING_DICT -> codesIn(v, rows, dictionaryMatches(v, compare), hits);
      default -> boxed(v, rows, compare, hits);
    }
    return hits;
  }

  /** For each dictionary entry, whether {@code p} is TRUE of it. */
  private static boolean[] dictionaryMatches(ColumnVector v, Predicate p) {
    String[] dict = v.dictionary();
    boolean[] matches = new boolean[dict.length];
    for (int i = 0; i < dict.length; i++) {
      matches[i] = Boolean.TRUE.equals(PredicateEvaluator.test(p, dict[i]));
    }
    return matches;
  }

  /**
   * The comparison {@code op x} over an integer (or timestamp) vector, as one loop with the bounds
   * inlined: the comparison is a closed range {@code [lo, hi]} (or its complement, for
   * {@code <>}), so no per-row call decides it.
   */
  private void longsCompared(ColumnVector v, RoaringBitmap rows, Predicate.Op op, long x,
      RoaringBitmap hits) {
    if (op == Predicate.Op.NE) {
      longsBetween(v, rows, x, x, true, hits);
      return;
    }
    long[] b = bounds(op, x);
    if (b != null) {
      longsBetween(v, rows, b[0], b[1], false, hits);
    }
  }

  /** An integer comparison ({@code <}, {@code <=}, {@code >}, {@code >=}, {@code =}) as [lo, hi]. */
  private static long[] bounds(Predicate.Compare c) {
    return c.value() instanceof Long x && c.op() != Predicate.Op.NE ? bounds(c.op(), x) : null;
  }

  /** {@code op x} as a closed range; an empty one ({@code < MIN}) as lo > hi. */
  private static long[] bounds(Predicate.Op op, long x) {
    return switch (op) {
      case LT -> x == Long.MIN_VALUE ? new long[] {1, 0} : new long[] {Long.MIN_VALUE, x - 1};
      case LE -> new long[] {Long.MIN_VALUE, x};
      case GT -> x == Long.MAX_VALUE ? new long[] {1, 0} : new long[] {x + 1, Long.MAX_VALUE};
      case GE -> new long[] {x, Long.MAX_VALUE};
      case EQ -> new long[] {x, x};
      case NE -> null;
    };
  }

  /** Rows whose value lies in [lo, hi] (outside it when {@code outside}), one loop. */
  private void longsBetween(ColumnVector v, RoaringBitmap rows, long lo, long hi,
      boolean outside, RoaringBitmap hits) {
    long[] values = v.longs();
    long[] present = v.presence();
    int n = Math.min(v.rows(), TailSegment.SEGMENT_ROWS);
    BatchIterator it = rows.getBatchIterator();
    while (it.hasNext()) {
      int batch = it.nextBatch(offsets);
      if (batch == 0) {
        break;
      }
      int k = 0;
      for (int i = 0; i < batch; i++) {
        int o = offsets[i];
        if (o < n && (present == null || (present[o >>> 6] & (1L << o)) != 0)) {
          long val = values[o];
          if ((val >= lo && val <= hi) != outside) {
            kept[k++] = o;
          }
        }
      }
      hits.addN(kept, 0, k);
    }
  }

  /** Rows whose value is one of {@code sorted} (an integer {@code IN}), one loop. */
  private void longsIn(ColumnVector v, RoaringBitmap rows, long[] sorted, RoaringBitmap hits) {
    long[] values = v.longs();
    long[] present = v.presence();
    int n = Math.min(v.rows(), TailSegment.SEGMENT_ROWS);
    long lo = sorted[0];
    long hi = sorted[sorted.length - 1];
    BatchIterator it = rows.getBatchIterator();
    while (it.hasNext()) {
      int batch = it.nextBatch(offsets);
      if (batch == 0) {
        break;
      }
      int k = 0;
      for (int i = 0; i < batch; i++) {
        int o = offsets[i];
        if (o < n && (present == null || (present[o >>> 6] & (1L << o)) != 0)) {
          long val = values[o];
          if (val >= lo && val <= hi && Arrays.binarySearch(sorted, val) >= 0) {
            kept[k++] = o;
          }
        }
      }
      hits.addN(kept, 0, k);
    }
  }

  /** Rows whose dictionary code is one of {@code matches}, as one loop (see longsBetween). */
  private void codesIn(ColumnVector v, RoaringBitmap rows, boolean[] matches,
      RoaringBitmap hits) {
    int[] codes = v.codes();
    long[] present = v.presence();
    int n = Math.min(v.rows(), TailSegment.SEGMENT_ROWS);
    BatchIterator it = rows.getBatchIterator();
    while (it.hasNext()) {
      int batch = it.nextBatch(offsets);
      if (batch == 0) {
        break;
      }
      int k = 0;
      for (int i = 0; i < batch; i++) {
        int o = offsets[i];
        if (o < n && (present == null || (present[o >>> 6] & (1L << o)) != 0)
            && matches[codes[o]]) {
          kept[k++] = o;
        }
      }
      hits.addN(kept, 0, k);
    }
  }

  private void boxed(ColumnVector v, RoaringBitmap rows, Predicate p, RoaringBitmap hits) {
    Function<Object, Boolean> tester = PredicateEvaluator.tester(p);
    forEachBatch(rows, o -> Boolean.TRUE.equals(tester.apply(v.get(o))), hits);
  }

  private interface OffsetTest {
    boolean test(int offset);
  }

  private void forEachBatch(RoaringBitmap rows, OffsetTest test, RoaringBitmap hits) {
    BatchIterator it = rows.getBatchIterator();
    while (it.hasNext()) {
      int batch = it.nextBatch(offsets);
      if (batch == 0) {
        break;
      }
      int k = 0;
      for (int i = 0; i < batch; i++) {
        int o = offsets[i];
        if (o < TailSegment.SEGMENT_ROWS && test.test(o)) {
          kept[k++] = o;
        }
      }
      hits.addN(kept, 0, k);
    }
  }
}
