package io.converge.rules;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeEnumerator;
import io.converge.adapter.ConvergeQueryGuards;
import io.converge.storage.CollectionSnapshot;
import io.converge.storage.guard.QueryGuard;
import io.converge.storage.exec.TopNSelector;
import io.converge.storage.query.Predicate;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.linq4j.Linq4j;
import org.roaringbitmap.RoaringBitmap;

/**
 * The one door from generated code to storage: {@link #query} runs a {@link ConvergeQuery} on a
 * fresh snapshot of the collection and yields rows in Calcite's internal representation (the same
 * conversions as the adapter's scan, {@link ConvergeColumn#toInternal}).
 */
public final class ConvergeMethods {
  /** {@link #query(DataContext, ConvergeQuery)}, for code generation. */
  public static final Method QUERY;

  static {
    try {
      QUERY = ConvergeMethods.class.getMethod("query", DataContext.class, ConvergeQuery.class);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private ConvergeMethods() {}

  /**
   * The rows of {@code q}: {@code Object[]} rows, or single values when {@code q.scalar()}. The
   * snapshot is taken when enumeration starts.
   */
  public static Enumerable<Object> query(DataContext root, ConvergeQuery q) {
    return new AbstractEnumerable<>() {
      @Override
      public Enumerator<Object> enumerator() {
        QueryGuard guard = ConvergeQueryGuards.of(root);
        CollectionSnapshot snapshot = q.table().collection().snapshot().guard(guard);
        guard.open(); // listed as running while the rids and any aggregate are computed
        try {
          RoaringBitmap rids = rids(root, snapshot, q);
          if (q.aggregation() != null) {
            List<Object[]> rows;
            try (snapshot) {
              rows = snapshot.aggregate(q.aggregation(), rids);
            }
            List<Object> out = new ArrayList<>(rows.size());
            for (Object[] r : rows) {
              Object[] row = convertAggregateRow(q, r);
              out.add(q.scalar() ? row[0] : row);
            }
            return Linq4j.enumerator(out);
          }
          return scalarOrRows(new ConvergeEnumerator(snapshot, q.columns(), rids, guard),
              q.scalar());
        } catch (RuntimeException | Error e) {
          snapshot.close();
          throw e;
        } finally {
          guard.close(); // the enumerator, if any, holds its own mark
        }
      }
    };
  }

  /** The lookup's ids with dynamic parameters replaced by this execution's values (null: none). */
  static List<String> boundIds(DataContext root, List<?> ids) {
    List<String> out = new ArrayList<>(ids.size());
    for (Object id : ids) {
      if (id instanceof ConvergeQuery.IdParam p) {
        Object v = root == null ? null : root.get("?" + p.index());
        if (v != null) {
          out.add(v.toString());
        }
      } else {
        out.add((String) id);
      }
    }
    return out;
  }

  /**
   * Rids selected by the query's lookup and predicate (parameters bound), cut to its limit or
   * top-N, or null for all live rows.
   */
  static RoaringBitmap rids(DataContext root, CollectionSnapshot snapshot, ConvergeQuery q) {
    RoaringBitmap rids = null;
    if (q.ids() != null) {
      rids = snapshot.lookup(boundIds(root, q.ids()));
    }
    Predicate predicate = q.predicate() == null ? null : ConvergeParams.bind(root, q.predicate());
    if (predicate != null && (rids == null || !rids.isEmpty())) {
      RoaringBitmap selected = snapshot.select(predicate);
      rids = rids == null ? selected : RoaringBitmap.and(rids, selected);
    }
    if (q.limit() >= 0) {
      int limit = (int) Math.min(q.limit(), Integer.MAX_VALUE);
      if (!q.order().isEmpty()) {
        rids = TopNSelector.select(snapshot, q.order(), limit, rids);
      } else {
        // the first rows in rid order, as the scan would have produced them
        rids = (rids == null ? snapshot.liveRids()
            : RoaringBitmap.and(rids, snapshot.liveRids())).limit(limit);
      }
    }
    return rids;
  }

  static Object[] convertAggregateRow(ConvergeQuery q, Object[] stored) {
    Object[] row = new Object[q.outputs().size()];
    for (int i = 0; i < row.length; i++) {
      row[i] = convertAggregateValue(q.outputs().get(i), stored[i]);
    }
    return row;
  }

  /** One stored aggregate result (a group key or a call's value) as Calcite's value. */
  static Object convertAggregateValue(ConvergeQuery.AggregateOutput o, Object v) {
    return switch (o.kind()) {
      case VALUE -> o.column().toInternal(v);
      case COUNT -> v == null ? 0L : ((Number) v).longValue();
      case SUM_LONG -> v == null ? null : toLong(v);
      case SUM_DOUBLE -> v == null ? null : ((Number) v).doubleValue();
      case SUM0_LONG -> v == null ? 0L : toLong(v);
      case SUM0_DOUBLE -> v == null ? 0.0d : ((Number) v).doubleValue();
    };
  }

  private static Long toLong(Object v) {
    if (v instanceof Long l) {
      return l;
    }
    throw new IllegalStateException("storage returned a non-integer sum " + v
        + " for a BIGINT column");
  }

  private static Enumerator<Object> scalarOrRows(ConvergeEnumerator rows, boolean scalar) {
    return new Enumerator<>() {
      @Override
      public Object current() {
        Object[] r = rows.current();
        return scalar ? r[0] : r;
      }

      @Override
      public boolean moveNext() {
        return rows.moveNext();
      }

      @Override
      public void reset() {
        rows.reset();
      }

      @Override
      public void close() {
        rows.close();
      }
    };
  }
}
