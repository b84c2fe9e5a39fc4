package io.converge.storage.exec;

import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.SegmentStats;
import io.converge.storage.guard.QueryGuard;
import io.converge.storage.index.TailSegment;
import io.converge.storage.query.Predicate;
import io.converge.storage.query.Values;
import java.util.List;
import org.roaringbitmap.BatchIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Answers a range or {@code <>} comparison over sealed segments by their columns: each segment's
 * min/max statistics first decide whether none, all or some of its values can match; only the
 * undecided segments are read, with a loop over the primitive vector (or, for dictionary strings,
 * one test per dictionary entry and a loop over the codes).
 */
final class RangeScan {
  private enum Verdict { NONE, ALL, SOME }

  private final SegmentSource snapshot;
  private final int field;
  private final Predicate.Compare compare;
  /** A second comparison on the same field, ANDed (the other end of a range), or null. */
  private final Predicate.Compare upper;
  private final int[] offsets = new int[512];
  /** Segments decided by statistics alone, and read whole (for reports and tests). */
  int skipped;
  int taken;
  int read;

  RangeScan(SegmentSource snapshot, int field, Predicate.Compare compare) {
    this(snapshot, field, compare, null);
  }

  /**
   * Both comparisons on the same field at once ({@code a >= 1 AND a <= 3}): one pass over each
   * segment's vector instead of one per end.
   */
  RangeScan(SegmentSource snapshot, int field, Predicate.Compare compare,
      Predicate.Compare upper) {
    this.snapshot = snapshot;
    this.field = field;
    this.compare = compare;
    this.upper = upper;
  }

  /** Adds the rids (live or not; the caller intersects) whose value makes the comparison TRUE. */
  void addTrueRows(List<Integer> segments, RoaringBitmap out) {
    addTrueRows(segments, null, out);
  }

  /**
   * Like {@link #addTrueRows(List, RoaringBitmap)}, testing only the rids of {@code within} (every
   * live rid when null): a conjunction narrows each later comparison to the rows the earlier ones
   * kept.
   */
  void addTrueRows(List<Integer> segments, RoaringBitmap within, RoaringBitmap out) {
    QueryGuard guard = snapshot.guard();
    for (int seg : segments) {
      guard.check();
      RoaringBitmap live = snapshot.selectedOffsets(seg, within);
      if (live.isEmpty()) {
        continue;
      }
      long base = SegmentSource.segmentBase(seg);
      SegmentStats stats = snapshot.stats(field, seg);
      Verdict verdict = stats == null ? Verdict.SOME : verdict(stats, compare);
      if (upper != null && verdict != Verdict.NONE) {
        Verdict second = stats == null ? Verdict.SOME : verdict(stats, upper);
        verdict = second == Verdict.NONE ? Verdict.NONE
            : verdict == Verdict.ALL && second == Verdict.ALL ? Verdict.ALL : Verdict.SOME;
      }
      if (verdict == Verdict.NONE) {
        skipped++;
        continue;
      }
      if (verdict == Verdict.ALL && stats.nonNull() == stats.rows()) {
        taken++;
        out.or(RoaringBitmap.addOffset(live, base));
        continue;
      }
      ColumnVector v = snapshot.vector(field, seg);
      if (v == null) {
        continue;
      }
      read++;
      RoaringBitmap hits;
      if (verdict == Verdict.ALL) {
        hits = present(v, live);
      } else {
        hits = matching(v, live, compare, upper);
      }
      out.or(RoaringBitmap.addOffset(hits, base));
    }
  }

  /**
   * Estimated TRUE rows in the given sealed segments from statistics alone (no column is read):
   * 0 or every valued live row where min/max decide, and where they do not, the share of the
   * [min, max] interval the range covers (numbers and timestamps; half for other values). Null
   * when some segment has no statistics.
   */
  Double estimate(List<Integer> segments) {
    double total = 0;
    for (int seg : segments) {
      RoaringBitmap live = snapshot.selectedOffsets(seg, null);
      if (live.isEmpty()) {
        continue;
      }
      SegmentStats stats = snapshot.stats(field, seg);
      if (stats == null) {
        if (snapshot.vector(field, seg) == null) {
          continue; // the field is absent from this segment
        }
        return null;
      }
      double valued = (double) live.getCardinality() * stats.nonNull() / Math.max(1, stats.rows());
      Verdict verdict = verdict(stats, compare);
      total += switch (verdict) {
        case NONE -> 0;
        case ALL -> valued;
        case SOME -> valued * share(stats);
      };
    }
    return total;
  }

  /** The fraction of [min, max] on the TRUE side of the literal, assuming uniform values. */
  private double share(SegmentStats stats) {
    double lo = numeric(stats.min());
    double hi = numeric(stats.max());
    double x = numeric(compare.value());
    if (Double.isNaN(lo) || Double.isNaN(hi) || Double.isNaN(x) || hi <= lo) {
      return compare.op() == Predicate.Op.NE ? 0.9 : 0.5;
    }
    double below = Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
    return switch (compare.op()) {
      case LT, LE -> below;
      case GT, GE -> 1 - below;
      case NE -> 0.9;
      case EQ -> 0.1;
    };
  }

  private static double numeric(Object v) {
    if (v instanceof Long l) {
      return l;
    } else if (v instanceof Double d) {
      return d;
    } else if (v instanceof java.time.Instant t) {
      return t.toEpochMilli();
    }
    return Double.NaN;
  }

  /**
   * What the statistics say. Strings are always read: the statistics order strings by UTF-16
   * units, the index by code points, and the two disagree around surrogates.
   */
  private static Verdict verdict(SegmentStats stats, Predicate.Compare compare) {
    if (stats.min() instanceof String) {
      return Verdict.SOME;
    }
    Integer lo = Values.compare(stats.min(), compare.value());
    Integer hi = Values.compare(stats.max(), compare.value());
    if (lo == null || hi == null) {
      return Verdict.NONE; // another type family: no value is comparable, none is TRUE
    }
    return switch (compare.op()) {
      case GT -> hi <= 0 ? Verdict.NONE : lo > 0 ? Verdict.ALL : Verdict.SOME;
      case GE -> hi < 0 ? Verdict.NONE : lo >= 0 ? Verdict.ALL : Verdict.SOME;
      case LT -> lo >= 0 ? Verdict.NONE : hi < 0 ? Verdict.ALL : Verdict.SOME;
      case LE -> lo > 0 ? Verdict.NONE : hi <= 0 ? Verdict.ALL : Verdict.SOME;
      case NE -> lo == 0 && hi == 0 ? Verdict.NONE : lo > 0 || hi < 0 ? Verdict.ALL : Verdict.SOME;
      case EQ -> lo > 0 || hi < 0 ? Verdict.NONE : Verdict.SOME;
    };
  }

  private RoaringBitmap present(ColumnVector v, RoaringBitmap live) {
    RoaringBitmap hits = new RoaringBitmap();
    forEachBatch(live, (o) -> v.isPresent(o), hits);
    return hits;
  }

  /**
   * Rows of {@code live} where {@code compare} (and {@code second}, when not null) is TRUE. Two
   * integer bounds make one loop; other pairs test the second over the first's rows.
   */
  private RoaringBitmap matching(ColumnVector v, RoaringBitmap live, Predicate.Compare compare,
      Predicate.Compare second) {
    if (second != null) {
      long[] a = v.kind() == ColumnVector.Kind.LONG ? bounds(compare) : null;
      long[] b = a == null ? null : bounds(second);
      if (a != null && b != null) {
        RoaringBitmap hits = new RoaringBitmap();
        longsBetween(v, live, Math.max(a[0], b[0]), Math.min(a[1], b[1]), false, hits);
        return hits;
      }
      return matching(v, matching(v, live, compare, null), second, null);
    }
    RoaringBitmap hits = new RoaringBitmap();
    Object literal = compare.value();
    Predicate.Op op = compare.op();
    switch (v.kind()) {
      case NULLS -> { }
      case LONG -> {
        if (literal instanceof Long l) {
          longsCompared(v, live, op, l, hits);
        } else {
          boxed(v, live, compare, hits);
        }
      }
      case DOUBLE -> {
        if (literal instanceof Double d) {
          double x = d == 0.0d ? 0.0d : d;
          double[] values = v.doubles();
          forEachBatch(live, o -> v.isPresent(o) && PredicateEvaluator.holds(op,
              Double.compare(values[o] == 0.0d ? 0.0d : values[o], x)), hits);
        } else {
          boxed(v, live, compare, hits);
        }
      }
      case TIMESTAMP -> {
        if (literal instanceof java.time.Instant t && t.getNano() % 1_000_000 == 0) {
          longsCompared(v, live, op, t.toEpochMilli(), hits);
        } else {
          boxed(v, live, compare, hits);
        }
      }
      case STRING_DICT -> {
        String[] dict = v.dictionary();
        boolean[] matches = new boolean[dict.length];
        for (int i = 0; i < dict.length; i++) {
          matches[i] = Boolean.TRUE.equals(PredicateEvaluator.test(compare, dict[i]));
        }
        codesIn(v, live, matches, hits);
      }
      default -> boxed(v, live, compare, hits);
    }
    return hits;
  }

  /**
   * The comparison {@code op x} over an integer (or timestamp) vector, as one loop with the bounds
   * inlined: the comparison is a closed range {@code [lo, hi]} (or its complement, for
   * {@code <>}), so no per-row call decides it. This is where a filtered aggregate's range
   * conjuncts spend their time.
   */
  private void longsCompared(ColumnVector v, RoaringBitmap live, Predicate.Op op, long x,
      RoaringBitmap hits) {
    if (op == Predicate.Op.NE) {
      longsBetween(v, live, x, x, true, hits);
      return;
    }
    long[] b = bounds(op, x);
    if (b != null) {
      longsBetween(v, live, b[0], b[1], false, hits);
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
  private void longsBetween(ColumnVector v, RoaringBitmap live, long lo, long hi, boolean outside,
      RoaringBitmap hits) {
    long[] values = v.longs();
    long[] present = v.presence();
    int rows = Math.min(v.rows(), TailSegment.SEGMENT_ROWS);
    BatchIterator it = live.getBatchIterator();
    int[] kept = new int[offsets.length];
    while (it.hasNext()) {
      int n = it.nextBatch(offsets);
      if (n == 0) {
        break;
      }
      int k = 0;
      for (int i = 0; i < n; i++) {
        int o = offsets[i];
        if (o < rows && (present == null || (present[o >>> 6] & (1L << o)) != 0)) {
          long val = values[o];
          if ((val >= lo && val <= hi) != outside) {
            kept[k++] = o;
          }
        }
      }
      hits.addN(kept, 0, k);
    }
  }

  /** Rows whose dictionary code is one of {@code matches}, as one loop (see longsBetween). */
  private void codesIn(ColumnVector v, RoaringBitmap live, boolean[] matches, RoaringBitmap hits) {
    int[] codes = v.codes();
    long[] present = v.presence();
    int rows = Math.min(v.rows(), TailSegment.SEGMENT_ROWS);
    BatchIterator it = live.getBatchIterator();
    int[] kept = new int[offsets.length];
    while (it.hasNext()) {
      int n = it.nextBatch(offsets);
      if (n == 0) {
        break;
      }
      int k = 0;
      for (int i = 0; i < n; i++) {
        int o = offsets[i];
        if (o < rows && (present == null || (present[o >>> 6] & (1L << o)) != 0)
            && matches[codes[o]]) {
          kept[k++] = o;
        }
      }
      hits.addN(kept, 0, k);
    }
  }

  private void boxed(ColumnVector v, RoaringBitmap live, Predicate.Compare compare,
      RoaringBitmap hits) {
    forEachBatch(live, o -> Boolean.TRUE.equals(PredicateEvaluator.test(compare, v.get(o))), hits);
  }

  private interface OffsetTest {
    boolean test(int offset);
  }

  private void forEachBatch(RoaringBitmap live, OffsetTest test, RoaringBitmap hits) {
    BatchIterator it = live.getBatchIterator();
    int[] kept = new int[offsets.length];
    while (it.hasNext()) {
      int n = it.nextBatch(offsets);
      if (n == 0) {
        break;
      }
      int k = 0;
      for (int i = 0; i < n; i++) {
        int o = offsets[i];
        if (o < TailSegment.SEGMENT_ROWS && test.test(o)) {
          kept[k++] = o;
        }
      }
      hits.addN(kept, 0, k);
    }
  }
}
