package io.converge.rules;

import io.converge.adapter.ConvergeColumnType;
import io.converge.storage.query.Predicate;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.DataContext;

/**
 * Binds the {@link ConvergeQuery.Param}s of a planned storage predicate to one execution's
 * values. A value is used only when it converts exactly to the storage value of the parameter's
 * column type; otherwise (NULL, a fraction for a BIGINT column, a type Calcite would convert in
 * its own way) the comparison is dropped, which makes the predicate select a superset: the
 * translator put parameters only where that is safe (never under NOT) and left the conjunct in a
 * Calcite filter above, which then decides.
 */
final class ConvergeParams {
  /** Selectivity assumed for an equality (or IN) with parameters when costing plans. */
  static final double EQUALITY_SELECTIVITY = 0.005d;
  /** Selectivity assumed for a range with a parameter. */
  static final double RANGE_SELECTIVITY = 0.25d;

  private ConvergeParams() {}

  /** {@code p} with parameters bound; null when nothing restricts (all rows). */
  static Predicate bind(DataContext root, Predicate p) {
    if (p instanceof Predicate.Compare c) {
      if (!(c.value() instanceof ConvergeQuery.Param param)) {
        return p;
      }
      Object v = value(root, param);
      if (v == null && param.exact()) {
        return nothing(c.path());
      }
      return v == null ? null : new Predicate.Compare(c.path(), c.op(), v);
    } else if (p instanceof Predicate.In in) {
      List<Object> values = new ArrayList<>(in.values().size());
      boolean exact = false;
      for (Object o : in.values()) {
        Object v = o instanceof ConvergeQuery.Param param ? value(root, param) : o;
        if (v == null && o instanceof ConvergeQuery.Param param && param.exact()) {
          exact = true;
          continue; // x IN (.., NULL, ..) is true only for the other values
        }
        if (v == null) {
          return null;
        }
        values.add(v);
      }
      return values.isEmpty() && exact ? nothing(in.path()) : new Predicate.In(in.path(), values);
    } else if (p instanceof Predicate.And and) {
      List<Predicate> ops = new ArrayList<>();
      for (Predicate o : and.operands()) {
        Predicate b = bind(root, o);
        if (b != null) {
          ops.add(b);
        }
      }
      return ops.isEmpty() ? null : ops.size() == 1 ? ops.get(0) : new Predicate.And(ops);
    } else if (p instanceof Predicate.Or or) {
      List<Predicate> ops = new ArrayList<>();
      for (Predicate o : or.operands()) {
        Predicate b = bind(root, o);
        if (b == null) {
          return null;
        }
        ops.add(b);
      }
      return new Predicate.Or(ops);
    }
    return p; // NOT, and simple predicates without values: the translator puts no parameter there

  }

  /** Whether {@code p} has a parameter, and what share of the rows it is assumed to select. */
  static double paramSelectivity(Predicate p) {
    if (p instanceof Predicate.Compare c) {
      return !(c.value() instanceof ConvergeQuery.Param) ? 1d
          : c.op() == Predicate.Op.EQ ? EQUALITY_SELECTIVITY : RANGE_SELECTIVITY;
    } else if (p instanceof Predicate.In in) {
      return in.values().stream().anyMatch(v -> v instanceof ConvergeQuery.Param)
          ? Math.min(1d, EQUALITY_SELECTIVITY * in.values().size()) : 1d;
    } else if (p instanceof Predicate.And and) {
      double s = 1d;
      for (Predicate o : and.operands()) {
        s *= paramSelectivity(o);
      }
      return s;
    } else if (p instanceof Predicate.Or or) {
      double s = 0d;
      for (Predicate o : or.operands()) {
        s += paramSelectivity(o);
      }
      return Math.min(1d, s);
    }
    return 1d;
  }

  /**
   * The storage value of a parameter in this execution, or null when it has none exactly (an
   * exact parameter's value must convert, else the execution fails).
   */
  static Object value(DataContext root, ConvergeQuery.Param param) {
    Object v = root == null ? null : root.get("?" + param.index());
    Object converted = convert(param.type(), v, param.millisDelta());
    if (converted == null && v != null && param.exact()) {
      throw new IllegalArgumentException("parameter ?" + param.index() + " (" + v + ", "
          + v.getClass().getSimpleName() + ") is not a value of the compared column's type "
          + param.type());
    }
    return converted;
  }

  /** A predicate no row satisfies: a comparison with NULL outside NOT. */
  private static Predicate nothing(String path) {
    return new Predicate.And(List.of(new Predicate.IsNull(path), new Predicate.IsNotNull(path)));
  }

  static Object convert(ConvergeColumnType type, Object v, long millisDelta) {
    if (v == null) {
      return null;
    }
    switch (type) {
    case BIGINT:
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        return ((Number) v).longValue();
      }
      if (v instanceof BigDecimal d) {
        try {
          return d.longValueExact();
        } catch (ArithmeticException e) {
          return null;
        }
      }
      return null;
    case DOUBLE:
      if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        return Double.isFinite(d) ? d : null;
      }
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        long l = ((Number) v).longValue();
        return Math.abs(l) < (1L << 53) ? (Object) (double) l : null;
      }
      if (v instanceof BigDecimal d) {
        double x = d.doubleValue();
        return Double.isFinite(x) && new BigDecimal(x).compareTo(d) == 0 ? (Object) x : null;
      }
      return null;
    case VARCHAR:
      return v instanceof String s ? s : null;
    case BOOLEAN:
      return v instanceof Boolean b ? b : null;
    case TIMESTAMP:
      // Calcite's internal TIMESTAMP: epoch milliseconds of the UTC wall clock
      if (v instanceof Long m && Math.abs(m) <= ConvergeFilterTranslator.MAX_MILLIS) {
        return Instant.ofEpochMilli(m + millisDelta);
      }
      return null;
    default:
      return null;
    }
  }
}
