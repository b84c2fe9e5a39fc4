package io.converge.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** The rows of one query, read in full, with how long that took. */
record QueryResult(List<List<Object>> rows, long nanos) {

  /**
   * Runs {@code sql} on a fresh plain {@link Statement} (as sqlline and DBeaver do) and reads
   * every row; the time covers execute, fetch and close.
   */
  static QueryResult run(Connection c, String sql) throws SQLException {
    long start = System.nanoTime();
    List<List<Object>> rows = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      int n = md.getColumnCount();
      while (rs.next()) {
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
          row[i] = rs.getObject(i + 1);
        }
        rows.add(Arrays.asList(row));
      }
    }
    return new QueryResult(rows, System.nanoTime() - start);
  }

  /** Rows sorted by their text form, so engines that group in different orders compare. */
  List<List<Object>> sortedRows() {
    List<List<Object>> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(Object::toString));
    return sorted;
  }

  /**
   * Null when both results hold the same rows (integers equal, fractional numbers within
   * {@code relativeTolerance}), else a description of the first difference.
   */
  static String difference(QueryResult a, QueryResult b, double relativeTolerance) {
    List<List<Object>> x = a.sortedRows();
    List<List<Object>> y = b.sortedRows();
    if (x.size() != y.size()) {
      return x.size() + " rows vs " + y.size() + " rows";
    }
    for (int r = 0; r < x.size(); r++) {
      List<Object> rx = x.get(r);
      List<Object> ry = y.get(r);
      if (rx.size() != ry.size()) {
        return "row " + r + " has " + rx.size() + " vs " + ry.size() + " columns";
      }
      for (int i = 0; i < rx.size(); i++) {
        if (!same(rx.get(i), ry.get(i), relativeTolerance)) {
          return "row " + rx + " vs " + ry;
        }
      }
    }
    return null;
  }

  private static boolean same(Object u, Object v, double tolerance) {
    if (u == null || v == null) {
      return u == v;
    }
    if (u instanceof Number p && v instanceof Number q) {
      if (isIntegral(p) && isIntegral(q)) {
        return p.longValue() == q.longValue();
      }
      double d = p.doubleValue();
      double e = q.doubleValue();
      return d == e || Math.abs(d - e) <= tolerance * Math.max(Math.abs(d), Math.abs(e));
    }
    return u.toString().equals(v.toString());
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
        || n instanceof java.math.BigInteger;
  }
}
