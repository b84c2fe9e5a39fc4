package io.converge.storage.exec;

import io.converge.storage.StoreException;
import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.ColumnVector.Kind;
import io.converge.storage.exec.ColumnAggregator.Accumulator;
import io.converge.storage.query.Aggregation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.BatchIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Folds one segment's selected rows into per-group partial aggregates with tight loops over the
 * encoded vectors, then hands each group's partials to the collection-wide accumulators.
 *
 * <p>Group keys must be small dense integers: dictionary codes, booleans, or integers and
 * timestamps whose range in the segment is small; their combination indexes plain arrays of
 * counts, sums and extremes (one slot per key value plus one for NULL). Rows are taken in batches
 * of offsets and each aggregate runs its own loop over the batch. A segment this cannot handle
 * (doubles or free-form strings as keys, mixed types, too many groups) returns false and is folded
 * row by row.
 */
final class SegmentFold {
  private static final int MAX_GROUPS = 1 << 16;
  private static final long MAX_DISTINCT_BITS = 1L << 22;
  private static final int BATCH = 512;

  private final int keys;
  private final List<Aggregation.Call> calls;
  private final int[] argIndex;
  private final boolean[] asDouble;
  private final int[] offsets = new int[BATCH];
  private final int[] groupOf = new int[BATCH];

  SegmentFold(int keys, List<Aggregation.Call> calls, int[] argIndex, boolean[] asDouble) {
    this.keys = keys;
    this.calls = calls;
    this.argIndex = argIndex;
    this.asDouble = asDouble;
  }

  /** Folds the segment into {@code groups}; false (and nothing folded) when it does not apply. */
  boolean fold(ColumnVector[] vectors, RoaringBitmap selected, Map<Object, Accumulator[]> groups) {
    int[] card = new int[keys];
    long[] base = new long[keys];
    long total = 1;
    for (int k = 0; k < keys; k++) {
      ColumnVector v = vectors[k];
      Kind kind = v == null ? Kind.NULLS : v.kind();
      switch (kind) {
        case NULLS -> card[k] = 1;
        case STRING_DICT -> card[k] = v.dictionary().length + 1;
        case BOOLEAN -> card[k] = 3;
        case LONG, TIMESTAMP -> {
          if (asDouble[k]) {
            return false; // keys must become doubles
          }
          Object[] minMax = v.minMax();
          long min = epochOrLong(minMax[0]);
          long span = epochOrLong(minMax[1]) - min;
          if (span >= MAX_GROUPS || span < 0) {
            return false;
          }
          base[k] = min;
          card[k] = (int) span + 2;
        }
        default -> {
          return false;
        }
      }
      total *= card[k];
      if (total > MAX_GROUPS) {
        return false;
      }
    }
    int groupCount = (int) total;
    for (int c = 0; c < calls.size(); c++) {
      if (!supported(calls.get(c), argIndex[c] < 0 ? null : vectors[argIndex[c]], groupCount)) {
        return false;
      }
    }

    long[] rowLanes = new long[groupCount << 2];
    Partial[] partials = new Partial[calls.size()];
    for (int c = 0; c < partials.length; c++) {
      partials[c] = argIndex[c] < 0 ? null
          : new Partial(calls.get(c), vectors[argIndex[c]], asDouble[argIndex[c]], groupCount,
              selected.last() + 1);
    }
    BatchIterator it = selected.getBatchIterator();
    while (it.hasNext()) {
      int n = it.nextBatch(offsets);
      if (n == 0) {
        break;
      }
      groups(vectors, card, base, n);
      // Four lanes per group: consecutive rows of one group then update different slots, so
      // the increments do not wait on each other (folded in emit).
      for (int i = 0; i < n; i++) {
        rowLanes[(groupOf[i] << 2) | (i & 3)]++;
      }
      for (Partial p : partials) {
        if (p != null) {
          p.add(offsets, groupOf, n);
        }
      }
    }
    long[] rows = new long[groupCount];
    for (int g = 0; g < groupCount; g++) {
      rows[g] = rowLanes[g << 2] + rowLanes[(g << 2) + 1] + rowLanes[(g << 2) + 2]
          + rowLanes[(g << 2) + 3];
    }
    for (Partial p : partials) {
      if (p != null) {
        p.foldLanes();
      }
    }
    emit(vectors, card, base, rows, partials, groups);
    return true;
  }

  private boolean supported(Aggregation.Call call, ColumnVector arg, int groupCount) {
    Kind kind = arg == null ? Kind.NULLS : arg.kind();
    if (kind == Kind.NULLS) {
      return true; // COUNT(*), or a column with no value in this segment
    }
    return switch (call.kind()) {
      case COUNT -> !call.distinct() || kind == Kind.STRING_DICT
          && (long) groupCount * arg.dictionary().length <= MAX_DISTINCT_BITS;
      case SUM -> kind != Kind.MIXED;
      case MIN, MAX -> kind != Kind.MIXED && kind != Kind.STRING;
    };
  }

  /** The group index of each of the first {@code n} offsets, into {@link #groupOf}. */
  private void groups(ColumnVector[] vectors, int[] card, long[] base, int n) {
    java.util.Arrays.fill(groupOf, 0, n, 0);
    for (int k = 0; k < keys; k++) {
      ColumnVector v = vectors[k];
      int c = card[k];
      int nullSlot = c - 1;
      if (c == 1) {
        continue; // only NULL: every row's digit is 0
      }
      switch (v.kind()) {
        case STRING_DICT -> {
          int[] codes = v.codes();
          for (int i = 0; i < n; i++) {
            int o = offsets[i];
            groupOf[i] = groupOf[i] * c + (v.isPresent(o) ? codes[o] : nullSlot);
          }
        }
        default -> {
          long[] longs = v.longs();
          long b = base[k];
          for (int i = 0; i < n; i++) {
            int o = offsets[i];
            groupOf[i] = groupOf[i] * c + (v.isPresent(o) ? (int) (longs[o] - b) : nullSlot);
          }
        }
      }
    }
  }

  private void emit(ColumnVector[] vectors, int[] card, long[] base, long[] rows,
      Partial[] partials, Map<Object, Accumulator[]> groups) {
    Object[] keyValues = new Object[Math.max(keys, 1)];
    for (int g = 0; g < rows.length; g++) {
      if (rows[g] == 0) {
        continue;
      }
      int rest = g;
      for (int k = keys - 1; k >= 0; k--) {
        int digit = rest % card[k];
        rest /= card[k];
        keyValues[k] = digit == card[k] - 1 ? null : keyValue(vectors[k], base[k], digit);
      }
      Accumulator[] accs = ColumnAggregator.groupAccumulators(groups,
          ColumnAggregator.groupKey(keyValues, keys), calls);
      for (int c = 0; c < accs.length; c++) {
        if (partials[c] == null) {
          accs[c].addLongPartial(rows[g]); // COUNT(*)
        } else {
          partials[c].emit(g, rows[g], accs[c]);
        }
      }
    }
  }

  private static Object keyValue(ColumnVector v, long base, int digit) {
    return switch (v.kind()) {
      case STRING_DICT -> v.dictionary()[digit];
      case BOOLEAN -> digit != 0;
      case LONG -> base + digit;
      case TIMESTAMP -> Instant.ofEpochMilli(base + digit);
      default -> throw new IllegalStateException(v.kind().toString());
    };
  }

  /** A LONG or TIMESTAMP vector's boxed min/max as the long its vector holds. */
  private static long epochOrLong(Object v) {
    return v instanceof Instant t ? t.toEpochMilli() : (Long) v;
  }

  /** One aggregate's per-group state for one segment. */
  private final class Partial {
    final Aggregation.Call call;
    final ColumnVector arg;
    final Kind kind;
    final boolean argAsDouble;
    /** Every selected row has a value: a group's value count is its row count. */
    final boolean countsRows;
    /** Non-null values per group. */
    final long[] counts;
    long[] longs;
    double[] doubles;
    long[] distinct;
    /** SUM of a fully valued double column: four partial sums per group (see the row counts). */
    double[] doubleLanes;

    Partial(Aggregation.Call call, ColumnVector arg, boolean argAsDouble, int groupCount,
        int selectedEnd) {
      this.call = call;
      this.arg = arg;
      this.kind = arg == null ? Kind.NULLS : arg.kind();
      this.argAsDouble = argAsDouble;
      this.countsRows = kind != Kind.NULLS && arg.presence() == null && arg.rows() >= selectedEnd;
      this.counts = new long[groupCount];
      if (kind == Kind.NULLS) {
        return;
      }
      switch (call.kind()) {
        case COUNT -> {
          if (call.distinct()) {
            distinct = new long[(int) (((long) groupCount * arg.dictionary().length + 63) >>> 6)];
          }
        }
        case SUM -> {
          // Only numbers are summed; other kinds leave the sum NULL, as the row path does.
          if (kind == Kind.LONG && !argAsDouble) {
            longs = new long[groupCount];
          } else if (kind == Kind.LONG || kind == Kind.DOUBLE) {
            doubles = new double[groupCount];
            doubleLanes = kind == Kind.DOUBLE ? new double[groupCount << 2] : null;
          }
        }
        case MIN, MAX -> {
          // Start from the identity of the comparison, so the first value always wins (NaN is
          // the largest double, as in Double.compare).
          boolean max = call.kind() == Aggregation.Kind.MAX;
          if (kind == Kind.DOUBLE) {
            doubles = new double[groupCount];
            java.util.Arrays.fill(doubles, max ? Double.NEGATIVE_INFINITY : Double.NaN);
          } else {
            longs = new long[groupCount];
            java.util.Arrays.fill(longs, max ? Long.MIN_VALUE : Long.MAX_VALUE);
          }
        }
      }
    }

    void add(int[] offsets, int[] groupOf, int n) {
      if (kind == Kind.NULLS) {
        return;
      }
      long[] present = arg.presence();
      if (!countsRows) {
        // Count non-null values; with every row valued the group's row count is the count.
        for (int i = 0; i < n; i++) {
          int o = offsets[i];
          if (arg.isPresent(o)) {
            counts[groupOf[i]]++;
          }
        }
      }
      switch (call.kind()) {
        case COUNT -> {
          if (distinct != null) {
            int[] codes = arg.codes();
            int width = arg.dictionary().length;
            for (int i = 0; i < n; i++) {
              int o = offsets[i];
              if (present == null || (present[o >>> 6] & (1L << o)) != 0) {
                long bit = (long) groupOf[i] * width + codes[o];
                distinct[(int) (bit >>> 6)] |= 1L << bit;
              }
            }
          }
        }
        case SUM -> sum(offsets, groupOf, n, present);
        case MIN, MAX -> extreme(offsets, groupOf, n, present, call.kind() == Aggregation.Kind.MAX);
      }
    }

    private void sum(int[] offsets, int[] groupOf, int n, long[] present) {
      if (kind == Kind.LONG) {
        long[] values = arg.longs();
        for (int i = 0; i < n; i++) {
          int o = offsets[i];
          if (present == null || (present[o >>> 6] & (1L << o)) != 0) {
            if (longs != null) {
              try {
                longs[groupOf[i]] = Math.addExact(longs[groupOf[i]], values[o]);
              } catch (ArithmeticException e) {
                throw new StoreException("SUM overflows BIGINT");
              }
            } else {
              doubles[groupOf[i]] += values[o];
            }
          }
        }
      } else if (kind == Kind.DOUBLE) {
        double[] values = arg.doubles();
        if (present == null) {
          // Four lanes per group, as for the row counts (the sum's rounding order differs from
          // a row-at-a-time engine's only as any parallel sum's does).
          double[] lanes = doubleLanes;
          for (int i = 0; i < n; i++) {
            lanes[(groupOf[i] << 2) | (i & 3)] += values[offsets[i]];
          }
          return;
        }
        for (int i = 0; i < n; i++) {
          int o = offsets[i];
          if ((present[o >>> 6] & (1L << o)) != 0) {
            doubles[groupOf[i]] += values[o];
          }
        }
      }
      // Booleans, timestamps and strings are not summed (SQL never sums them here).
    }

    private void extreme(int[] offsets, int[] groupOf, int n, long[] present, boolean max) {
      if (kind == Kind.DOUBLE) {
        double[] values = arg.doubles();
        for (int i = 0; i < n; i++) {
          int o = offsets[i];
          if (present == null || (present[o >>> 6] & (1L << o)) != 0) {
            int g = groupOf[i];
            double d = values[o] == 0.0d ? 0.0d : values[o];
            if (max ? Double.compare(d, doubles[g]) > 0 : Double.compare(d, doubles[g]) < 0) {
              doubles[g] = d;
            }
          }
        }
        return;
      }
      long[] values;
      if (kind == Kind.STRING_DICT) {
        int[] codes = arg.codes();
        for (int i = 0; i < n; i++) {
          int o = offsets[i];
          if (present == null || (present[o >>> 6] & (1L << o)) != 0) {
            int g = groupOf[i];
            if (max ? codes[o] > longs[g] : codes[o] < longs[g]) {
              longs[g] = codes[o];
            }
          }
        }
        return;
      }
      values = arg.longs();
      for (int i = 0; i < n; i++) {
        int o = offsets[i];
        if (present == null || (present[o >>> 6] & (1L << o)) != 0) {
          int g = groupOf[i];
          if (max ? values[o] > longs[g] : values[o] < longs[g]) {
            longs[g] = values[o];
          }
        }
      }
    }

    void foldLanes() {
      if (doubleLanes != null) {
        for (int g = 0; g < doubles.length; g++) {
          doubles[g] += (doubleLanes[g << 2] + doubleLanes[(g << 2) + 1])
              + (doubleLanes[(g << 2) + 2] + doubleLanes[(g << 2) + 3]);
        }
      }
    }

    void emit(int g, long rowsInGroup, Accumulator acc) {
      long count = countsRows ? rowsInGroup : counts[g];
      switch (call.kind()) {
        case COUNT -> {
          if (distinct == null) {
            acc.addLongPartial(count);
          } else {
            String[] dict = arg.dictionary();
            long start = (long) g * dict.length;
            for (int d = 0; d < dict.length; d++) {
              long bit = start + d;
              if ((distinct[(int) (bit >>> 6)] & (1L << bit)) != 0) {
                acc.add(dict[d]);
              }
            }
          }
        }
        case SUM -> {
          if (count > 0 && longs != null) {
            acc.addLongPartial(longs[g]);
          } else if (count > 0 && doubles != null) {
            acc.addDoublePartial(doubles[g]);
          }
        }
        case MIN, MAX -> {
          if (count > 0) {
            acc.add(boxedExtreme(g));
          }
        }
      }
    }

    private Object boxedExtreme(int g) {
      return switch (kind) {
        case DOUBLE -> doubles[g];
        case LONG -> argAsDouble ? (Object) (double) longs[g] : (Object) longs[g];
        case TIMESTAMP -> Instant.ofEpochMilli(longs[g]);
        case BOOLEAN -> longs[g] != 0;
        case STRING_DICT -> arg.dictionary()[(int) longs[g]];
        default -> throw new IllegalStateException(kind.toString());
      };
    }
  }
}
