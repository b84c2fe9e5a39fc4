package io.converge.adapter;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.List;
import org.apache.calcite.schema.Function;
import org.apache.calcite.schema.impl.ScalarFunctionImpl;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.validate.SqlUserDefinedFunction;

/**
 * SQL functions on array columns that {@link ConvergeSchema} offers.
 *
 * <p>{@code ARRAY_CONTAINS(array, value)}: TRUE when an element of {@code array} equals
 * {@code value} (numbers compare numerically, so {@code 3} matches an element {@code 3.0}), FALSE
 * when none does (null elements never match), NULL when {@code array} or {@code value} is NULL. These
 * are the storage layer's {@code Contains} semantics, so the planner rules can answer it from the
 * inverted index. (Calcite's own {@code ARRAY_CONTAINS} belongs to its Spark library, which would
 * have to be enabled connection-wide with {@code fun=spark}.)
 */
public final class ConvergeArrayFunctions {
  /** SQL name of {@link #arrayContains}. */
  public static final String ARRAY_CONTAINS = "ARRAY_CONTAINS";

  private static final Method ARRAY_CONTAINS_METHOD;

  static {
    try {
      ARRAY_CONTAINS_METHOD = ConvergeArrayFunctions.class.getMethod("arrayContains",
          Object.class, Object.class);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private ConvergeArrayFunctions() {}

  /** The schema function {@code ARRAY_CONTAINS}. */
  public static Function arrayContainsFunction() {
    return ScalarFunctionImpl.create(ARRAY_CONTAINS_METHOD);
  }

  /**
   * The functions every Converge schema offers (one node's, a cluster aggregator's, a leaf's
   * shard schema), so that a query types the same wherever it is planned.
   */
  public static com.google.common.collect.Multimap<String, Function> schemaFunctions() {
    return com.google.common.collect.ImmutableMultimap.of(ARRAY_CONTAINS, arrayContainsFunction());
  }

  /** Whether a call's operator is this schema's {@code ARRAY_CONTAINS}. */
  public static boolean isArrayContains(SqlOperator op) {
    return op instanceof SqlUserDefinedFunction f
        && f.getFunction() instanceof ScalarFunctionImpl impl
        && impl.method.equals(ARRAY_CONTAINS_METHOD);
  }

  /** {@code ARRAY_CONTAINS}; {@code array} is a SQL ARRAY value (a List) or NULL. */
  public static Boolean arrayContains(Object array, Object value) {
    if (array == null || value == null) {
      return null;
    }
    if (!(array instanceof List<?> list)) {
      throw new IllegalArgumentException("ARRAY_CONTAINS needs an array, not "
          + array.getClass().getSimpleName());
    }
    for (Object e : list) {
      if (e != null && same(e, value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      BigDecimal bx = exact(x);
      BigDecimal by = exact(y);
      return bx != null && by != null ? bx.compareTo(by) == 0
          : x.doubleValue() == y.doubleValue();
    }
    return a.equals(b);
  }

  /** A number's exact value, or null for NaN and infinities. */
  private static BigDecimal exact(Number n) {
    if (n instanceof BigDecimal d) {
      return d;
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? new BigDecimal(d) : null;
    }
    if (n instanceof java.math.BigInteger i) {
      return new BigDecimal(i);
    }
    return BigDecimal.valueOf(n.longValue());
  }
}
