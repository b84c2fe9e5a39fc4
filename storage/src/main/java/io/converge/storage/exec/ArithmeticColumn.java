package io.converge.storage.exec;

import io.converge.storage.StoreException;
import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.ColumnVector.Kind;
import io.converge.storage.query.Aggregation.Arithmetic;
import org.roaringbitmap.RoaringBitmap;

/**
 * Computes {@code left op right} for every row of a segment, as a new vector that aggregates
 * read like a stored column: two integer columns give integers (an overflow is an error, as in
 * SUM), a double on either side gives doubles, and a row is NULL when either side is NULL or not a
 * number. Fields holding both integers and decimals ({@code asDouble}) compute in doubles.
 */
final class ArithmeticColumn {
  private ArithmeticColumn() {}

  static ColumnVector evaluate(Arithmetic.Op op, ColumnVector left, boolean leftAsDouble,
      ColumnVector right, boolean rightAsDouble, int rows) {
    return evaluate(op, left, leftAsDouble, right, rightAsDouble, rows, null);
  }

  /**
   * Like the above, computing only the rows of {@code selected} (offsets; every row when null):
   * an aggregate reads no other row, and a filtered one may read few. The other rows hold 0.
   */
  static ColumnVector evaluate(Arithmetic.Op op, ColumnVector left, boolean leftAsDouble,
      ColumnVector right, boolean rightAsDouble, int rows, RoaringBitmap selected) {
    Kind l = left == null ? Kind.NULLS : left.kind();
    Kind r = right == null ? Kind.NULLS : right.kind();
    if (l == Kind.NULLS || r == Kind.NULLS) {
      return ColumnVector.ofLongs(new long[rows], new long[(rows + 63) >>> 6]);
    }
    long[] presence = and(left, right, rows);
    int[] only = selected == null ? null : selected.toArray();
    int n = only == null ? rows : only.length;
    if (l == Kind.LONG && r == Kind.LONG && !leftAsDouble && !rightAsDouble) {
      long[] a = left.longs();
      long[] b = right.longs();
      long[] out = new long[rows];
      for (int j = 0; j < n; j++) {
        int i = only == null ? j : only[j];
        if (i < rows && (presence == null || (presence[i >>> 6] & (1L << i)) != 0)) {
          out[i] = exact(op, a[i], b[i]);
        }
      }
      return ColumnVector.ofLongs(out, presence);
    }
    if ((l == Kind.LONG || l == Kind.DOUBLE) && (r == Kind.LONG || r == Kind.DOUBLE)) {
      double[] out = new double[rows];
      for (int j = 0; j < n; j++) {
        int i = only == null ? j : only[j];
        if (i < rows && (presence == null || (presence[i >>> 6] & (1L << i)) != 0)) {
          double a = l == Kind.LONG ? left.longs()[i] : left.doubles()[i];
          double b = r == Kind.LONG ? right.longs()[i] : right.doubles()[i];
          out[i] = apply(op, a, b);
        }
      }
      return ColumnVector.ofDoubles(out, presence);
    }
    // Mixed segments (an in-memory tail, or numbers with other values): row by row.
    Object[] values = new Object[rows];
    for (int i = 0; i < rows; i++) {
      values[i] = apply(op, left.get(i), leftAsDouble, right.get(i), rightAsDouble);
    }
    return ColumnVector.of(values, rows);
  }

  static Object apply(Arithmetic.Op op, Object a, boolean aDouble, Object b, boolean bDouble) {
    if (!(a instanceof Long || a instanceof Double) || !(b instanceof Long || b instanceof Double)) {
      return null;
    }
    if (a instanceof Long x && b instanceof Long y && !aDouble && !bDouble) {
      return exact(op, x, y);
    }
    return apply(op, ((Number) a).doubleValue(), ((Number) b).doubleValue());
  }

  /** Integer arithmetic; an overflow is an error, as in SUM. */
  private static long exact(Arithmetic.Op op, long a, long b) {
    try {
      return switch (op) {
        case PLUS -> Math.addExact(a, b);
        case MINUS -> Math.subtractExact(a, b);
        case TIMES -> Math.multiplyExact(a, b);
      };
    } catch (ArithmeticException e) {
      throw new StoreException("BIGINT overflow in " + op.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  private static double apply(Arithmetic.Op op, double a, double b) {
    return switch (op) {
      case PLUS -> a + b;
      case MINUS -> a - b;
      case TIMES -> a * b;
    };
  }

  /** Rows where both sides have a value (null: every row). */
  private static long[] and(ColumnVector a, ColumnVector b, int rows) {
    long[] pa = a.presence();
    long[] pb = b.presence();
    boolean fullA = pa == null && a.rows() >= rows;
    boolean fullB = pb == null && b.rows() >= rows;
    if (fullA && fullB) {
      return null;
    }
    long[] out = new long[(rows + 63) >>> 6];
    for (int i = 0; i < rows; i++) {
      if (a.isPresent(i) && b.isPresent(i)) {
        out[i >>> 6] |= 1L << i;
      }
    }
    return out;
  }
}
