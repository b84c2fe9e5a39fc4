package io.converge.cluster.aggregator.plan;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.apache.calcite.rel.type.RelDataType;

/**
 * Values from a fragment stream (as {@link io.converge.cluster.fragment.FragmentType} carries
 * them: widened integers and doubles) as the Java values Calcite's generated code expects for
 * the gather's row type, and the combine arithmetic of partial aggregates on those values.
 */
public final class ClusterValues {
  private ClusterValues() {}

  /** The Java value a column needs. */
  public enum Target { BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, REAL, DOUBLE, DECIMAL, STRING,
    LIST, AS_IS }

  static Target target(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case BOOLEAN -> Target.BOOLEAN;
      case TINYINT -> Target.TINYINT;
      case SMALLINT -> Target.SMALLINT;
      case INTEGER, DATE, TIME -> Target.INTEGER;
      case BIGINT, TIMESTAMP -> Target.BIGINT;
      case REAL -> Target.REAL;
      case FLOAT, DOUBLE -> Target.DOUBLE;
      case DECIMAL -> Target.DECIMAL;
      case CHAR, VARCHAR -> Target.STRING;
      case ARRAY, MULTISET -> Target.LIST;
      default -> Target.AS_IS;
    };
  }

  /** {@code v} as {@code t} wants it. */
  public static Object convert(Object v, Target t) {
    if (v == null) {
      return null;
    }
    return switch (t) {
      case TINYINT -> v instanceof Number n && !(v instanceof Byte) ? (Object) n.byteValue() : v;
      case SMALLINT -> v instanceof Number n && !(v instanceof Short) ? (Object) n.shortValue() : v;
      case INTEGER -> v instanceof Number n && !(v instanceof Integer) ? (Object) n.intValue() : v;
      case BIGINT -> v instanceof Number n && !(v instanceof Long) ? (Object) n.longValue() : v;
      case REAL -> v instanceof Number n && !(v instanceof Float) ? (Object) n.floatValue() : v;
      case DOUBLE -> v instanceof Number n && !(v instanceof Double) ? (Object) n.doubleValue() : v;
      case DECIMAL -> v instanceof BigDecimal ? v
          : v instanceof Double || v instanceof Float ? BigDecimal.valueOf(((Number) v).doubleValue())
          : v instanceof Number n ? BigDecimal.valueOf(n.longValue()) : v;
      case STRING -> v instanceof String ? v : v.toString();
      case LIST -> v instanceof Object[] a ? Arrays.asList(a) : v;
      default -> v;
    };
  }

  /** Converts a row in place to the targets. */
  static Object[] convertRow(Object[] row, List<Target> targets) {
    for (int i = 0; i < row.length && i < targets.size(); i++) {
      row[i] = convert(row[i], targets.get(i));
    }
    return row;
  }

  /** Zero as {@code t} wants it (an empty $SUM0). */
  static Object zero(Target t) {
    return switch (t) {
      case TINYINT -> (byte) 0;
      case SMALLINT -> (short) 0;
      case INTEGER -> 0;
      case REAL -> 0f;
      case DOUBLE -> 0d;
      case DECIMAL -> BigDecimal.ZERO;
      default -> 0L;
    };
  }

  /** Combines two partial values of one aggregate column. */
  static Object combine(ClusterMerge.Combine c, Object a, Object b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return switch (c) {
      case SUM, SUM0 -> add(a, b);
      case MIN -> compare(a, b) <= 0 ? a : b;
      case MAX -> compare(a, b) >= 0 ? a : b;
    };
  }

  private static Object add(Object a, Object b) {
    if (a instanceof Long x) {
      return x + ((Number) b).longValue();
    }
    if (a instanceof Integer x) {
      return x + ((Number) b).intValue();
    }
    if (a instanceof Double x) {
      return x + ((Number) b).doubleValue();
    }
    if (a instanceof BigDecimal x) {
      return x.add((BigDecimal) b);
    }
    if (a instanceof Float x) {
      return x + ((Number) b).floatValue();
    }
    if (a instanceof Short x) {
      return (short) (x + ((Number) b).shortValue());
    }
    if (a instanceof Byte x) {
      return (byte) (x + ((Number) b).byteValue());
    }
    throw new IllegalStateException("cannot add " + a.getClass().getSimpleName());
  }

  /** Calcite's order of non-null values of one column. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compare(Object a, Object b) {
    return ((Comparable) a).compareTo(b);
  }
}
