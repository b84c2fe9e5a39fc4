package io.converge.tests;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Small JDBC helpers: run a query, get its rows as plain Java values. */
public final class Sql {
  private Sql() {}

  /** All rows of {@code sql}, each a list of normalized column values. */
  public static List<List<Object>> rows(Connection connection, String sql) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rows(rs);
    }
  }

  public static List<List<Object>> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<List<Object>> rows = new ArrayList<>();
    while (rs.next()) {
      List<Object> row = new ArrayList<>(n);
      for (int c = 1; c <= n; c++) {
        row.add(value(rs, c));
      }
      rows.add(row);
    }
    return rows;
  }

  /** The single value of a one-row, one-column query. */
  public static Object scalar(Connection connection, String sql) throws SQLException {
    List<List<Object>> rows = rows(connection, sql);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new AssertionError("expected one value from " + sql + ", got " + rows);
    }
    return rows.get(0).get(0);
  }

  /** The values of the first column. */
  public static List<Object> column(Connection connection, String sql) throws SQLException {
    List<Object> values = new ArrayList<>();
    for (List<Object> row : rows(connection, sql)) {
      values.add(row.get(0));
    }
    return values;
  }

  /** Counts the rows of a result by reading it to the end. */
  public static long count(ResultSet rs) throws SQLException {
    long n = 0;
    while (rs.next()) {
      n++;
    }
    return n;
  }

  /**
   * A column value with integer types widened to Long, floats to Double, exact decimals with a
   * zero scale to Long, and SQL arrays to Lists (so expected values can be written plainly).
   */
  public static Object value(ResultSet rs, int column) throws SQLException {
    Object v = rs.getObject(column);
    return normalize(v);
  }

  static Object normalize(Object v) throws SQLException {
    if (v instanceof Array a) {
      Object elements = a.getArray();
      List<Object> list = new ArrayList<>();
      for (Object e : (Object[]) elements) {
        list.add(normalize(e));
      }
      return list;
    }
    if (v instanceof List<?> l) {
      List<Object> list = new ArrayList<>();
      for (Object e : l) {
        list.add(normalize(e));
      }
      return list;
    }
    if (v instanceof Object[] arr) {
      return normalize(Arrays.asList(arr));
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof BigDecimal d && d.scale() <= 0) {
      return d.longValueExact();
    }
    return v;
  }

  /** A row literal for expected values. */
  public static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  /** Double-quotes an identifier for Calcite. */
  public static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
