package io.converge.bench.ssb;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The rows of one query result, with values made comparable across engines: every integral
 * number (Integer, Long, HUGEINT's BigInteger, a DECIMAL without fraction) becomes a
 * {@code Long} or {@code BigInteger}, every other number a {@code Double}, text stays text.
 * Engines order ties differently and some return sums as DECIMAL, so results are compared
 * sorted, fractional numbers within a relative tolerance.
 */
public record SsbRows(List<List<Object>> rows) {
  static final double TOLERANCE = 1e-9;

  static SsbRows read(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<List<Object>> rows = new ArrayList<>();
    while (rs.next()) {
      Object[] row = new Object[n];
      for (int i = 0; i < n; i++) {
        row[i] = normalize(rs.getObject(i + 1));
      }
      rows.add(Arrays.asList(row));
    }
    return new SsbRows(rows);
  }

  static Object normalize(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
    if (v instanceof BigDecimal d) {
      BigDecimal s = d.stripTrailingZeros();
      return s.scale() <= 0 ? normalize(s.toBigIntegerExact()) : d.doubleValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    return v;
  }

  public int size() {
    return rows.size();
  }

  List<List<Object>> sorted() {
    List<List<Object>> s = new ArrayList<>(rows);
    s.sort(ROW_ORDER);
    return s;
  }

  /** Null when both hold the same rows, else the first difference, for the report. */
  public static String difference(SsbRows expected, SsbRows actual) {
    if (expected.size() != actual.size()) {
      return actual.size() + " rows instead of " + expected.size();
    }
    List<List<Object>> x = expected.sorted();
    List<List<Object>> y = actual.sorted();
    for (int r = 0; r < x.size(); r++) {
      List<Object> rx = x.get(r);
      List<Object> ry = y.get(r);
      if (rx.size() != ry.size()) {
        return ry.size() + " columns instead of " + rx.size();
      }
      for (int i = 0; i < rx.size(); i++) {
        if (!same(rx.get(i), ry.get(i))) {
          return "row " + ry + " where " + rx + " was expected";
        }
      }
    }
    return null;
  }

  private static boolean same(Object u, Object v) {
    if (u == null || v == null) {
      return u == v;
    }
    if (u instanceof Number p && v instanceof Number q) {
      if (!(p instanceof Double) && !(q instanceof Double)) {
        return p.equals(q);
      }
      double d = p.doubleValue();
      double e = q.doubleValue();
      return d == e || Math.abs(d - e) <= TOLERANCE * Math.max(Math.abs(d), Math.abs(e));
    }
    return u.toString().equals(v.toString());
  }

  private static final Comparator<Object> VALUE_ORDER = (a, b) -> {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    if (a instanceof Number p && b instanceof Number q) {
      return Double.compare(p.doubleValue(), q.doubleValue());
    }
    return a.toString().compareTo(b.toString());
  };

  private static final Comparator<List<Object>> ROW_ORDER = (a, b) -> {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = VALUE_ORDER.compare(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  };
}
