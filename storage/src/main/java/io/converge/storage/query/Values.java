package io.converge.storage.query;

import java.time.Instant;

/**
 * How the storage layer compares stored values with predicate literals: numbers (Long, Double)
 * numerically and exactly across the two, strings by Unicode code point (the order of the
 * inverted index's keys), booleans false < true, timestamps by instant. Values of different
 * families are incomparable (null).
 */
public final class Values {
  private Values() {}

  /** The comparison of {@code a} with {@code b}, or null when they are of different families. */
  public static Integer compare(Object a, Object b) {
    if (a == null || b == null) {
      return null;
    }
    if (a instanceof Long x) {
      if (b instanceof Long y) {
        return Long.compare(x, y);
      }
      if (b instanceof Double y) {
        return compareLongDouble(x, y);
      }
      return null;
    }
    if (a instanceof Double x) {
      if (b instanceof Double y) {
        return Double.compare(x == 0.0d ? 0.0d : x, y == 0.0d ? 0.0d : y);
      }
      if (b instanceof Long y) {
        return -compareLongDouble(y, x);
      }
      return null;
    }
    if (a instanceof String x) {
      return b instanceof String y ? Integer.signum(compareCodePoints(x, y)) : null;
    }
    if (a instanceof Boolean x) {
      return b instanceof Boolean y ? Boolean.compare(x, y) : null;
    }
    if (a instanceof Instant x) {
      return b instanceof Instant y ? x.compareTo(y) : null;
    }
    return null;
  }

  /** Exact comparison of a long with a double (no rounding of the long). */
  static int compareLongDouble(long l, double d) {
    if (Double.isNaN(d) || d >= 9.223372036854775807E18) {
      return -1;
    }
    if (d < -9.223372036854775808E18) {
      return 1;
    }
    long t = (long) d;
    if (l != t) {
      return Long.compare(l, t);
    }
    double frac = d - t;
    return frac > 0 ? -1 : frac < 0 ? 1 : 0;
  }

  public static int compareCodePoints(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        boolean sx = Character.isSurrogate(x);
        boolean sy = Character.isSurrogate(y);
        if (sx != sy) {
          return sx ? 1 : -1; // a supplementary code point sorts after every BMP one
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  /** True for the value families that are numbers. */
  public static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double;
  }
}
