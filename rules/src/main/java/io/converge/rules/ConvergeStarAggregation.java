package io.converge.rules;

import io.converge.adapter.ConvergeQueryGuards;
import io.converge.storage.CollectionSnapshot;
import io.converge.storage.guard.QueryGuard;
import io.converge.storage.query.Aggregation;
import io.converge.storage.query.DimensionJoin;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.linq4j.function.Function0;
import org.roaringbitmap.RoaringBitmap;

/**
 * Runs a {@link ConvergeStarAggregate}: reads each dimension's rows, checks that its keys are
 * unique integers and its grouped columns plain values, and hands the fact table's aggregation,
 * with the dimensions as {@link DimensionJoin}s, to the storage layer; the fact rows are first
 * narrowed by the fact query's own predicate and, for dimensions with few keys, by
 * {@code fk IN (keys)} in the inverted index, as in {@link ConvergeStarJoin}. A dimension that
 * breaks those assumptions sends the whole aggregate to Calcite's plan ({@code fallback}).
 */
public final class ConvergeStarAggregation {
  private ConvergeStarAggregation() {}

  /** {@link #aggregate}, for code generation. */
  static final Method AGGREGATE;

  static {
    try {
      AGGREGATE = ConvergeStarAggregation.class.getMethod("aggregate", DataContext.class,
          Spec.class, Enumerable[].class, Function0.class);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * What the generated code hands over.
   *
   * @param join the star (fact query, keys, semi-join eligibility)
   * @param factPaths per dimension, the fact field holding its key
   * @param dimKeys per dimension, the column of its rows holding the key
   * @param attributeColumns per dimension, the columns of its rows grouped by
   * @param factGroup fact fields grouped by
   * @param calls the aggregates, over fact fields
   * @param dimensionKeys dimension attributes grouped by (indexes into {@code attributeColumns})
   * @param groupOrder per group key of the result, in order: {@code i} for fact key {@code i},
   *     {@code -1 - i} for dimension key {@code i}
   * @param factGroupOutputs conversion of each fact group key
   * @param callOutputs conversion of each call's result
   */
  public record Spec(ConvergeStarJoin.Spec join, String[] factPaths, int[] dimKeys,
      int[][] attributeColumns, List<String> factGroup, List<Aggregation.Call> calls,
      List<DimensionJoin.Key> dimensionKeys, int[] groupOrder,
      List<ConvergeQuery.AggregateOutput> factGroupOutputs,
      List<ConvergeQuery.AggregateOutput> callOutputs) {}

  /** The aggregate's rows (called by the generated code); {@code dims} yield Object[] rows. */
  public static Enumerable<Object[]> aggregate(DataContext root, Spec spec, Enumerable<?>[] dims,
      Function0<Enumerable<Object[]>> fallback) {
    return new AbstractEnumerable<>() {
      @Override
      public Enumerator<Object[]> enumerator() {
        List<DimensionJoin> joins = new ArrayList<>(dims.length);
        List<Set<Long>> keySets = new ArrayList<>(dims.length);
        for (int d = 0; d < dims.length; d++) {
          @SuppressWarnings("unchecked")
          Enumerable<Object[]> rows = (Enumerable<Object[]>) dims[d];
          Set<Long> keys = new HashSet<>();
          DimensionJoin join = dimension(rows, spec.factPaths()[d], spec.dimKeys()[d],
              spec.attributeColumns()[d], keys);
          if (join == null) {
            return fallback.apply().enumerator();
          }
          joins.add(join);
          keySets.add(keys);
        }
        return Linq4j.enumerator(run(root, spec, joins, keySets));
      }
    };
  }

  /**
   * A dimension's rows as a join, or null when a key is not an integer or repeats, or a grouped
   * value is not a plain Long, Double, String or Boolean. Rows with a null key join nothing.
   */
  static DimensionJoin dimension(Enumerable<Object[]> rows, String factPath, int keyColumn,
      int[] attributeColumns, Set<Long> keys) {
    List<Long> keyList = new ArrayList<>();
    List<List<Object>> values = new ArrayList<>();
    for (int a = 0; a < attributeColumns.length; a++) {
      values.add(new ArrayList<>());
    }
    try (Enumerator<Object[]> e = rows.enumerator()) {
      while (e.moveNext()) {
        Object[] row = e.current();
        Object key = row[keyColumn];
        if (key == null) {
          continue;
        }
        if (!(key instanceof Long k) || !keys.add(k)) {
          return null;
        }
        keyList.add(k);
        for (int a = 0; a < attributeColumns.length; a++) {
          Object v = row[attributeColumns[a]];
          if (v != null && !(v instanceof Long || v instanceof String || v instanceof Double
              || v instanceof Boolean)) {
            return null;
          }
          values.get(a).add(v);
        }
      }
    }
    List<Object[]> attributes = new ArrayList<>(attributeColumns.length);
    for (List<Object> v : values) {
      attributes.add(v.toArray());
    }
    return new DimensionJoin(factPath, keyList.stream().mapToLong(Long::longValue).toArray(),
        attributes);
  }

  private static List<Object[]> run(DataContext root, Spec spec, List<DimensionJoin> joins,
      List<Set<Long>> keySets) {
    ConvergeQuery q = ConvergeStarJoin.reduced(spec.join(), keySets);
    QueryGuard guard = ConvergeQueryGuards.of(root);
    CollectionSnapshot snapshot = q.table().collection().snapshot().guard(guard);
    guard.open();
    List<Object[]> stored;
    try (snapshot) {
      RoaringBitmap rids = ConvergeMethods.rids(root, snapshot, q);
      stored = snapshot.aggregate(new Aggregation(spec.factGroup(), spec.calls(), joins,
          spec.dimensionKeys()), rids);
    } finally {
      guard.close();
    }
    int factKeys = spec.factGroup().size();
    int keys = factKeys + spec.dimensionKeys().size();
    List<Object[]> out = new ArrayList<>(stored.size());
    for (Object[] r : stored) {
      Object[] row = new Object[spec.groupOrder().length + spec.calls().size()];
      for (int i = 0; i < spec.groupOrder().length; i++) {
        int g = spec.groupOrder()[i];
        row[i] = g >= 0
            ? ConvergeMethods.convertAggregateValue(spec.factGroupOutputs().get(g), r[g])
            : r[factKeys + (-1 - g)]; // a dimension's value, as Calcite read it
      }
      for (int c = 0; c < spec.calls().size(); c++) {
        row[spec.groupOrder().length + c] =
            ConvergeMethods.convertAggregateValue(spec.callOutputs().get(c), r[keys + c]);
      }
      out.add(row);
    }
    return out;
  }
}
