package io.converge.storage.exec;

import io.converge.storage.StoreException;
import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.guard.QueryGuard;
import io.converge.storage.query.Aggregation;
import io.converge.storage.query.DimensionJoin;
import io.converge.storage.query.Values;
import io.converge.storage.schema.FieldInfo;
import io.converge.storage.schema.FieldType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Evaluates an {@link Aggregation} segment by segment over column values: for each segment it
 * loads only the grouped and aggregated fields, walks the selected live offsets and folds each
 * row into its group's accumulators. Memory is one segment of the needed columns plus one
 * accumulator set per group; rows are never materialized.
 *
 * <p>From {@link #parallelMinSegments} segments on, the first and second half of the segments are
 * folded on two threads and merged in segment order: deterministic, and equal to a row-at-a-time
 * engine's result up to the rounding order of floating-point sums. In a field that holds both integers and
 * decimals (a DOUBLE column in SQL) integers are taken as doubles for grouping, MIN/MAX and
 * COUNT DISTINCT, so 5 and 5.0 are one value, as SQL sees them.
 */
public final class ColumnAggregator {
  static final Object NULL_KEY = new Object() {
    @Override
    public String toString() {
      return "NULL";
    }
  };

  /** Collections of at least this many segments are folded on two threads (tests lower it). */
  static volatile int parallelMinSegments = 4;

  private final SegmentSource snapshot;

  public ColumnAggregator(SegmentSource snapshot) {
    this.snapshot = snapshot;
  }

  /** Bytes the folds reserved on the query's guard; given back when the aggregate ends. */
  private final java.util.concurrent.atomic.AtomicLong reservedBytes =
      new java.util.concurrent.atomic.AtomicLong();

  public List<Object[]> aggregate(Aggregation a, RoaringBitmap rids) {
    try {
      return aggregateGroups(a, rids);
    } finally {
      snapshot.guard().release(reservedBytes.getAndSet(0));
    }
  }

  private List<Object[]> aggregateGroups(Aggregation a, RoaringBitmap rids) {
    List<String> groupBy = a.groupBy();
    List<Aggregation.Call> calls = a.calls();
    int keys = a.keyCount();
    // Distinct fields to load: group keys first (a star's dimension attributes as placeholders,
    // filled per segment by the joins), then call arguments; after them, one computed column per
    // arithmetic argument.
    List<String> paths = new ArrayList<>(groupBy);
    for (int i = 0; i < a.dimensionKeys().size(); i++) {
      paths.add(null);
    }
    List<Aggregation.Arithmetic> computed = new ArrayList<>();
    int[] argIndex = new int[calls.size()];
    for (int i = 0; i < calls.size(); i++) {
      Aggregation.Call call = calls.get(i);
      if (call.arithmetic() != null) {
        indexOf(paths, call.arithmetic().left());
        indexOf(paths, call.arithmetic().right());
        argIndex[i] = -2 - computed.size(); // resolved below, once every path is known
        computed.add(call.arithmetic());
      } else {
        argIndex[i] = call.path() == null ? -1 : indexOf(paths, call.path());
      }
    }
    for (int i = 0; i < argIndex.length; i++) {
      if (argIndex[i] <= -2) {
        argIndex[i] = paths.size() + (-2 - argIndex[i]);
      }
    }
    int[] fieldIds = new int[paths.size()];
    boolean[] asDouble = new boolean[paths.size() + computed.size()];
    int[][] operands = new int[computed.size()][];
    for (int i = 0; i < paths.size(); i++) {
      if (paths.get(i) == null) {
        fieldIds[i] = -1;
        continue;
      }
      fieldIds[i] = snapshot.fieldId(paths.get(i));
      FieldInfo f = snapshot.schema().field(paths.get(i));
      asDouble[i] = f != null && f.count(FieldType.DOUBLE) > 0 && f.count(FieldType.INT) > 0;
    }
    for (int i = 0; i < operands.length; i++) {
      operands[i] = new int[] {paths.indexOf(computed.get(i).left()),
          paths.indexOf(computed.get(i).right())};
    }
    Columns columns = new Columns(fieldIds, asDouble, computed, operands,
        DimensionLookup.of(a.joins(), snapshot), a.dimensionKeys(), groupBy.size());
    int segments = snapshot.segmentCount();
    Map<Object, Accumulator[]> groups;
    if (segments >= parallelMinSegments && Runtime.getRuntime().availableProcessors() > 1) {
      // Two halves of the segments on two threads; merged in segment order, so the result does
      // not depend on timing (sums differ from a row-at-a-time engine's only by rounding order).
      int mid = segments / 2;
      java.util.concurrent.CompletableFuture<Map<Object, Accumulator[]>> second =
          java.util.concurrent.CompletableFuture.supplyAsync(() ->
              fold(mid, segments, rids, keys, calls, argIndex, columns));
      groups = fold(0, mid, rids, keys, calls, argIndex, columns);
      Map<Object, Accumulator[]> later;
      try {
        later = second.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : e;
      }
      for (Map.Entry<Object, Accumulator[]> e : later.entrySet()) {
        Accumulator[] accs = groups.get(e.getKey());
        if (accs == null) {
          groups.put(e.getKey(), e.getValue());
        } else {
          for (int c = 0; c < accs.length; c++) {
            accs[c].merge(e.getValue()[c]);
          }
        }
      }
    } else {
      groups = fold(0, segments, rids, keys, calls, argIndex, columns);
    }
    if (groups.isEmpty() && keys == 0) {
      groups.put(List.of(), newAccumulators(calls));
    }
    List<Object[]> out = new ArrayList<>(groups.size());
    for (Map.Entry<Object, Accumulator[]> e : groups.entrySet()) {
      Object[] r = new Object[keys + calls.size()];
      unpackKey(e.getKey(), keys, r);
      for (int c = 0; c < calls.size(); c++) {
        r[keys + c] = e.getValue()[c].result();
      }
      out.add(r);
    }
    return out;
  }

  /**
   * The columns a fold reads: stored fields (by id; -1 for the placeholders of dimension
   * attributes, from {@code keyStart} on) then computed ones ({@code operands} index the stored
   * ones); {@code asDouble} per column. With {@code lookups} (a star join), only the fact rows
   * joining every dimension are folded.
   */
  private record Columns(int[] fieldIds, boolean[] asDouble, List<Aggregation.Arithmetic> computed,
      int[][] operands, DimensionLookup[] lookups, List<DimensionJoin.Key> dimensionKeys,
      int keyStart, int[] joinOrder) {
    Columns(int[] fieldIds, boolean[] asDouble, List<Aggregation.Arithmetic> computed,
        int[][] operands, DimensionLookup[] lookups, List<DimensionJoin.Key> dimensionKeys,
        int keyStart) {
      this(fieldIds, asDouble, computed, operands, lookups, dimensionKeys, keyStart,
          java.util.stream.IntStream.range(0, lookups.length).boxed()
              .sorted(java.util.Comparator.comparingDouble(j -> lookups[j].density))
              .mapToInt(Integer::intValue).toArray());
    }

    /**
     * The selected offsets that join a row of every dimension (all of them without joins), with
     * the dimension attributes grouped by put in {@code into}.
     */
    RoaringBitmap join(SegmentSource snapshot, int seg, RoaringBitmap selected,
        ColumnVector[] into, DimensionLookup.Buffer[] buffers) {
      if (lookups.length == 0) {
        return selected;
      }
      int[] offsets = selected.toArray();
      ColumnVector[] fks = new ColumnVector[lookups.length];
      int rows = 0;
      for (int j = 0; j < lookups.length; j++) {
        fks[j] = snapshot.vector(lookups[j].factField, seg);
        rows = Math.max(rows, fks[j] == null ? 0 : fks[j].rows());
      }
      // The most selective dimension first: later ones test only the rows it kept.
      int n = offsets.length;
      for (int j : joinOrder) {
        n = lookups[j].filter(fks[j], offsets, n);
        if (n == 0) {
          break;
        }
      }
      int[][] dimRows = new int[lookups.length][];
      for (int k = 0; k < dimensionKeys.size(); k++) {
        DimensionJoin.Key key = dimensionKeys.get(k);
        int j = key.join();
        if (n > 0 && dimRows[j] == null) {
          dimRows[j] = new int[n];
          lookups[j].rows(fks[j], offsets, n, dimRows[j]);
        }
        into[keyStart + k] = n == 0 ? null
            : lookups[j].vector(key.attribute(), offsets, dimRows[j], n, rows, buffers[k]);
      }
      RoaringBitmap joined = new RoaringBitmap();
      joined.addN(offsets, 0, n);
      return joined;
    }

    int size() {
      return fieldIds.length + computed.size();
    }

    /** Loads a segment's columns; computed ones only at the {@code selected} offsets. */
    void load(SegmentSource snapshot, int seg, ColumnVector[] into, RoaringBitmap selected) {
      for (int i = 0; i < fieldIds.length; i++) {
        if (fieldIds[i] >= 0 || i < keyStart || i >= keyStart + dimensionKeys.size()) {
          into[i] = snapshot.vector(fieldIds[i], seg);
        }
      }
      if (computed.isEmpty()) {
        return;
      }
      int rows = 0;
      for (int i = 0; i < fieldIds.length; i++) {
        rows = Math.max(rows, into[i] == null ? 0 : into[i].rows());
      }
      for (int c = 0; c < computed.size(); c++) {
        int l = operands[c][0];
        int r = operands[c][1];
        into[fieldIds.length + c] = ArithmeticColumn.evaluate(computed.get(c).op(), into[l],
            asDouble[l], into[r], asDouble[r], rows, selected);
      }
    }
  }

  private static int indexOf(List<String> paths, String path) {
    int at = paths.indexOf(path);
    if (at < 0) {
      at = paths.size();
      paths.add(path);
    }
    return at;
  }

  /** Aggregates of segments {@code [from, to)}, by group key. */
  private Map<Object, Accumulator[]> fold(int from, int to, RoaringBitmap rids, int keys,
      List<Aggregation.Call> calls, int[] argIndex, Columns columns) {
    Map<Object, Accumulator[]> groups = new LinkedHashMap<>();
    ColumnVector[] vectors = new ColumnVector[columns.size()];
    DimensionLookup.Buffer[] buffers = new DimensionLookup.Buffer[columns.dimensionKeys().size()];
    for (int k = 0; k < buffers.length; k++) {
      buffers[k] = new DimensionLookup.Buffer();
    }
    SegmentFold typed = new SegmentFold(keys, calls, argIndex, columns.asDouble());
    QueryGuard guard = snapshot.guard();
    long groupBytes = groupBytes(calls.size());
    int counted = 0;
    for (int seg = from; seg < to; seg++) {
      guard.check();
      RoaringBitmap offsets = snapshot.selectedOffsets(seg, rids);
      if (!offsets.isEmpty()) {
        offsets = columns.join(snapshot, seg, offsets, vectors, buffers);
      }
      if (offsets.isEmpty()) {
        continue;
      }
      columns.load(snapshot, seg, vectors, offsets);
      if (!typed.fold(vectors, offsets, groups)) {
        foldBoxed(vectors, offsets, keys, calls, argIndex, columns.asDouble(), groups, guard);
      }
      guard.addRows(offsets.getCardinality());
      if (groups.size() > counted) {
        long more = (groups.size() - counted) * groupBytes;
        counted = groups.size();
        reservedBytes.addAndGet(more);
        guard.reserve(more);
      }
    }
    return groups;
  }

  /**
   * Estimated heap bytes of one group: map entry, key (a boxed value or short string), the
   * accumulator array and its accumulators. Counted against the query's memory limit as groups
   * appear, and released when the aggregate is done.
   */
  static long groupBytes(int calls) {
    return 160 + 48L * calls;
  }

  /** Row at a time over boxed values: any column kind, any aggregate. */
  private static void foldBoxed(ColumnVector[] vectors, RoaringBitmap offsets, int keys,
      List<Aggregation.Call> calls, int[] argIndex, boolean[] asDouble,
      Map<Object, Accumulator[]> groups, QueryGuard guard) {
    Object[] row = new Object[vectors.length];
    IntIterator it = offsets.getIntIterator();
    int seen = 0;
    while (it.hasNext()) {
      if ((++seen & 4095) == 0) {
        guard.check();
      }
      int offset = it.next();
      for (int i = 0; i < row.length; i++) {
        ColumnVector col = vectors[i];
        Object v = col == null ? null : col.get(offset);
        if (asDouble[i] && v instanceof Long l) {
          v = l.doubleValue();
        }
        row[i] = v instanceof Double d && d == 0.0d ? (Object) 0.0d : v; // -0.0 is 0.0
      }
      Accumulator[] accs = groupAccumulators(groups, groupKey(row, keys), calls);
      for (int c = 0; c < accs.length; c++) {
        accs[c].add(argIndex[c] < 0 ? Boolean.TRUE : row[argIndex[c]]);
      }
    }
  }

  static Accumulator[] groupAccumulators(Map<Object, Accumulator[]> groups, Object key,
      List<Aggregation.Call> calls) {
    Accumulator[] accs = groups.get(key);
    if (accs == null) {
      accs = newAccumulators(calls);
      groups.put(key, accs);
    }
    return accs;
  }

  static Object groupKey(Object[] row, int n) {
    if (n == 0) {
      return List.of();
    }
    if (n == 1) {
      return row[0] == null ? NULL_KEY : row[0];
    }
    return Arrays.asList(Arrays.copyOf(row, n));
  }

  private static void unpackKey(Object key, int n, Object[] out) {
    if (n == 1) {
      out[0] = key == NULL_KEY ? null : key;
    } else if (n > 1) {
      List<?> parts = (List<?>) key;
      for (int i = 0; i < n; i++) {
        out[i] = parts.get(i);
      }
    }
  }

  private static Accumulator[] newAccumulators(List<Aggregation.Call> calls) {
    Accumulator[] accs = new Accumulator[calls.size()];
    for (int i = 0; i < accs.length; i++) {
      Aggregation.Call c = calls.get(i);
      accs[i] = switch (c.kind()) {
        case COUNT -> c.distinct() ? new CountDistinct() : new Count();
        case SUM -> new Sum();
        case MIN -> new Extreme(-1);
        case MAX -> new Extreme(1);
      };
    }
    return accs;
  }

  interface Accumulator {
    void add(Object v);

    /** Adds {@code n} non-null values (COUNT) or a partial sum (SUM); others ignore it. */
    default void addLongPartial(long n) {
      throw new UnsupportedOperationException();
    }

    /** Adds a partial double sum (SUM only). */
    default void addDoublePartial(double sum) {
      throw new UnsupportedOperationException();
    }

    /** Folds in the accumulator of later rows (same kind). */
    void merge(Accumulator later);

    Object result();
  }

  static final class Count implements Accumulator {
    long n;

    @Override
    public void addLongPartial(long count) {
      n += count;
    }

    @Override
    public void add(Object v) {
      if (v != null) {
        n++;
      }
    }

    @Override
    public void merge(Accumulator later) {
      n += ((Count) later).n;
    }

    @Override
    public Object result() {
      return n;
    }
  }

  static final class CountDistinct implements Accumulator {
    final Set<Object> seen = new HashSet<>();

    @Override
    public void add(Object v) {
      if (v != null) {
        seen.add(v instanceof Double d && d == 0.0d ? 0.0d : v);
      }
    }

    @Override
    public void merge(Accumulator later) {
      seen.addAll(((CountDistinct) later).seen);
    }

    @Override
    public Object result() {
      return (long) seen.size();
    }
  }

  /** Exact long sum until a decimal arrives, then double (in row order). */
  static final class Sum implements Accumulator {
    long longSum;
    double doubleSum;
    boolean any;
    boolean isDouble;

    @Override
    public void addLongPartial(long sum) {
      add(sum);
    }

    @Override
    public void addDoublePartial(double sum) {
      add(sum);
    }

    @Override
    public void add(Object v) {
      if (v instanceof Long l) {
        if (isDouble) {
          doubleSum += l;
        } else {
          try {
            longSum = Math.addExact(longSum, l);
          } catch (ArithmeticException e) {
            throw new StoreException("SUM overflows BIGINT");
          }
        }
        any = true;
      } else if (v instanceof Double d) {
        if (!isDouble) {
          isDouble = true;
          doubleSum = longSum;
        }
        doubleSum += d;
        any = true;
      }
    }

    @Override
    public void merge(Accumulator later) {
      Sum o = (Sum) later;
      if (!o.any) {
        return;
      }
      if (o.isDouble) {
        if (!isDouble) {
          isDouble = true;
          doubleSum = longSum;
        }
        doubleSum += o.doubleSum;
      } else if (isDouble) {
        doubleSum += o.longSum;
      } else {
        try {
          longSum = Math.addExact(longSum, o.longSum);
        } catch (ArithmeticException e) {
          throw new StoreException("SUM overflows BIGINT");
        }
      }
      any = true;
    }

    @Override
    public Object result() {
      return !any ? null : isDouble ? (Object) doubleSum : (Object) longSum;
    }
  }

  /** MIN (sign -1) or MAX (sign 1); numbers numerically, strings as Java compares them. */
  static final class Extreme implements Accumulator {
    final int sign;
    Object best;

    Extreme(int sign) {
      this.sign = sign;
    }

    @Override
    public void add(Object v) {
      if (v == null || v instanceof List) {
        return;
      }
      if (best == null) {
        best = v;
        return;
      }
      Integer cmp = v instanceof String s && best instanceof String b ? Integer.valueOf(s.compareTo(b))
          : Values.compare(v, best);
      if (cmp != null && cmp * sign > 0) {
        best = v;
      }
    }

    @Override
    public void merge(Accumulator later) {
      Object o = ((Extreme) later).best;
      if (o != null) {
        add(o);
      }
    }

    @Override
    public Object result() {
      return best;
    }
  }
}
