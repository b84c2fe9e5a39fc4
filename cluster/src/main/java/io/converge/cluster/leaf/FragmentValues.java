package io.converge.cluster.leaf;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentParameter;
import io.converge.cluster.fragment.FragmentType;
import java.sql.Array;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;

/**
 * A fragment's parameters bound on its statement, its columns from JDBC metadata, and each row's
 * values as {@link FragmentType} says:
 * Calcite's internal representation (epoch millis for TIMESTAMP, days for DATE, millis of the day
 * for TIME, all read through a UTC calendar so no time zone shifts them).
 */
final class FragmentValues {
  private static final long MILLIS_PER_DAY = 86_400_000L;
  private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"),
      Locale.ROOT);

  private FragmentValues() {}

  static List<FragmentColumn> columns(ResultSetMetaData md) throws SQLException {
    int n = md.getColumnCount();
    List<FragmentColumn> out = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      FragmentType t = typeOf(md.getColumnType(i), md.getColumnTypeName(i));
      FragmentType element = t == FragmentType.ARRAY ? elementOf(md.getColumnTypeName(i)) : null;
      out.add(new FragmentColumn(md.getColumnLabel(i), t, element));
    }
    return List.copyOf(out);
  }

  static FragmentType typeOf(int jdbcType, String typeName) throws SQLException {
    switch (jdbcType) {
    case Types.BOOLEAN:
    case Types.BIT:
      return FragmentType.BOOLEAN;
    case Types.TINYINT:
    case Types.SMALLINT:
    case Types.INTEGER:
      return FragmentType.INTEGER;
    case Types.BIGINT:
      return FragmentType.BIGINT;
    case Types.REAL:
    case Types.FLOAT:
    case Types.DOUBLE:
      return FragmentType.DOUBLE;
    case Types.DECIMAL:
    case Types.NUMERIC:
      return FragmentType.DECIMAL;
    case Types.CHAR:
    case Types.VARCHAR:
    case Types.LONGVARCHAR:
      return FragmentType.VARCHAR;
    case Types.DATE:
      return FragmentType.DATE;
    case Types.TIME:
      return FragmentType.TIME;
    case Types.TIMESTAMP:
      return FragmentType.TIMESTAMP;
    case Types.ARRAY:
      return FragmentType.ARRAY;
    case Types.NULL:
      // a bare NULL literal: any type carries it; VARCHAR is what one node shows
      return FragmentType.VARCHAR;
    default:
      throw new SQLException("a fragment column of type " + typeName + " cannot be sent");
    }
  }

  /** The element type of an array column from Calcite's type name, e.g. {@code BIGINT ARRAY}. */
  static FragmentType elementOf(String arrayTypeName) throws SQLException {
    String s = arrayTypeName.trim().toUpperCase(Locale.ROOT);
    if (s.endsWith(" NOT NULL")) {
      s = s.substring(0, s.length() - " NOT NULL".length());
    }
    if (!s.endsWith(" ARRAY")) {
      throw new SQLException("unknown element type of array type " + arrayTypeName);
    }
    String element = s.substring(0, s.length() - " ARRAY".length()).trim();
    int cut = element.indexOf('(');
    if (cut >= 0) {
      element = element.substring(0, cut);
    }
    element = element.replace(" NOT NULL", "").trim();
    switch (element) {
    case "BOOLEAN":
      return FragmentType.BOOLEAN;
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
      return FragmentType.INTEGER;
    case "BIGINT":
      return FragmentType.BIGINT;
    case "REAL":
    case "FLOAT":
    case "DOUBLE":
      return FragmentType.DOUBLE;
    case "DECIMAL":
      return FragmentType.DECIMAL;
    case "CHAR":
    case "VARCHAR":
      return FragmentType.VARCHAR;
    case "DATE":
      return FragmentType.DATE;
    case "TIME":
      return FragmentType.TIME;
    case "TIMESTAMP":
      return FragmentType.TIMESTAMP;
    default:
      throw new SQLException("arrays of " + element + " cannot be sent");
    }
  }

  /**
   * Binds a request's parameter values, marker by marker, each with the setter of the type the
   * aggregator validated ({@link FragmentParameter#bind}); a count that differs from the
   * statement's markers is refused rather than run with a stale value.
   */
  static void bind(PreparedStatement statement, List<FragmentParameter> parameters)
      throws SQLException {
    int markers = statement.getParameterMetaData().getParameterCount();
    if (markers != parameters.size()) {
      throw new SQLException("the fragment has " + markers + " parameter markers, the request "
          + parameters.size() + " values");
    }
    for (int i = 0; i < markers; i++) {
      parameters.get(i).bind(statement, i + 1);
    }
  }

  /** Reads one row's values into {@code out}. */
  static void read(ResultSet rs, List<FragmentColumn> columns, Calendar utc, Object[] out)
      throws SQLException {
    for (int i = 0; i < out.length; i++) {
      FragmentColumn c = columns.get(i);
      out[i] = c.type() == FragmentType.ARRAY
          ? array(rs.getArray(i + 1), c.elementType(), utc)
          : value(rs, i + 1, c.type(), utc);
    }
  }

  /**
   * A UTC calendar of one's own (JDBC getters set its fields): a copy of one built once, since
   * building one looks up locale data each time, a cost paid per partition of every fragment.
   */
  static Calendar utcCalendar() {
    return (Calendar) UTC.clone();
  }

  private static Object value(ResultSet rs, int i, FragmentType type, Calendar utc)
      throws SQLException {
    Object v;
    switch (type) {
    case BOOLEAN -> v = rs.getBoolean(i);
    case INTEGER -> v = rs.getInt(i);
    case BIGINT -> v = rs.getLong(i);
    case DOUBLE -> v = rs.getDouble(i);
    case DECIMAL -> v = rs.getBigDecimal(i);
    case VARCHAR -> v = rs.getString(i);
    case DATE -> {
      Date d = rs.getDate(i, utc);
      v = d == null ? null : (int) Math.floorDiv(d.getTime(), MILLIS_PER_DAY);
    }
    case TIME -> {
      Time t = rs.getTime(i, utc);
      v = t == null ? null : (int) Math.floorMod(t.getTime(), MILLIS_PER_DAY);
    }
    case TIMESTAMP -> {
      Timestamp t = rs.getTimestamp(i, utc);
      v = t == null ? null : t.getTime();
    }
    default -> throw new SQLException("unexpected column type " + type);
    }
    return rs.wasNull() ? null : v;
  }

  private static List<Object> array(Array a, FragmentType element, Calendar utc)
      throws SQLException {
    if (a == null) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    try (ResultSet rs = a.getResultSet()) {
      // JDBC says (INDEX, VALUE); Avatica's array result sets hold the value alone
      int column = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        out.add(value(rs, column, element, utc));
      }
    }
    return out;
  }
}
