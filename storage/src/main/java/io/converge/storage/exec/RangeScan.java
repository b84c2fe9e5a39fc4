package io.converge.storage.exec;

import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.SegmentStats;
import io.converge.storage.guard.QueryGuard;
import io.converge.storage.query.Predicate;
import io.converge.storage.query.Values;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * Answers a range or {@code <>} comparison over sealed segments by their columns: each segment's
 * min/max statistics first decide whether none, all or some of its values can match; only the
 * undecided segments are read, by {@link VectorFilter}.
 */
final class RangeScan {
  private enum Verdict { NONE, ALL, SOME }

  private final SegmentSource snapshot;
  private final int field;
  private final Predicate.Compare compare;
  /** A second comparison on the same field, ANDed (the other end of a range), or null. */
  private final Predicate.Compare upper;
  private final VectorFilter filter = new VectorFilter();
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
        hits = filter.present(v, live);
      } else {
        hits = filter.matching(v, live, compare, upper);
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
}
