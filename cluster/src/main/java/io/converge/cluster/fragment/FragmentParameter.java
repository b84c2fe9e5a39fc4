package io.converge.cluster.fragment;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Calendar;
import java.util.Locale;
import java.util.TimeZone;

/**
 * The value of one {@code ?} marker of a fragment's SQL, typed as the aggregator validated the
 * parameter, so that the leaf binds exactly that type. {@code value} is the value's exact text
 * (JSON numbers would lose the digits of a DECIMAL or the bits of a DOUBLE): a {@link FragmentType}
 * value as that type documents it, written with {@code toString} (epoch milliseconds for
 * TIMESTAMP, days for DATE, milliseconds of the day for TIME); null is SQL NULL.
 *
 * @param type the parameter's type; ARRAY is never a parameter
 * @param value the value's text, or null
 */
public record FragmentParameter(FragmentType type, String value) {
  private static final long MILLIS_PER_DAY = 86_400_000L;

  public FragmentParameter {
    if (type == null || type == FragmentType.ARRAY) {
      throw new IllegalArgumentException("not a parameter type: " + type);
    }
  }

  /** A parameter of {@code type} holding {@code v}, a value of the type's Java class, or null. */
  public static FragmentParameter of(FragmentType type, Object v) {
    if (v instanceof BigDecimal d) {
      return new FragmentParameter(type, d.toString());
    }
    return new FragmentParameter(type, v == null ? null : v.toString());
  }

  /** The value as {@link FragmentType} says (Integer for INTEGER, DATE and TIME, etc.), or null. */
  public Object javaValue() {
    if (value == null) {
      return null;
    }
    return switch (type) {
      case BOOLEAN -> Boolean.parseBoolean(value);
      case INTEGER, DATE, TIME -> Integer.parseInt(value);
      case BIGINT, TIMESTAMP -> Long.parseLong(value);
      case DOUBLE -> Double.parseDouble(value);
      case DECIMAL -> new BigDecimal(value);
      case VARCHAR -> value;
      case ARRAY -> throw new IllegalStateException("an ARRAY parameter");
    };
  }

  /**
   * Binds the value to parameter {@code index} (1-based) of a statement with the setter of its
   * type, so that the statement sees the same internal value as the aggregator: datetimes through
   * a UTC calendar (no time zone shifts them), NULL with its type.
   */
  public void bind(PreparedStatement statement, int index) throws SQLException {
    Object v = javaValue();
    if (v == null) {
      statement.setNull(index, jdbcType());
      return;
    }
    switch (type) {
    case BOOLEAN -> statement.setBoolean(index, (Boolean) v);
    case INTEGER -> statement.setInt(index, (Integer) v);
    case BIGINT -> statement.setLong(index, (Long) v);
    case DOUBLE -> statement.setDouble(index, (Double) v);
    case DECIMAL -> statement.setBigDecimal(index, (BigDecimal) v);
    case VARCHAR -> statement.setString(index, (String) v);
    case DATE -> statement.setDate(index, new Date((Integer) v * MILLIS_PER_DAY), utc());
    case TIME -> statement.setTime(index, new Time((Integer) v), utc());
    case TIMESTAMP -> statement.setTimestamp(index, new Timestamp((Long) v), utc());
    case ARRAY -> throw new IllegalStateException("an ARRAY parameter");
    }
  }

  /** The JDBC type of {@link #type}. */
  public int jdbcType() {
    return switch (type) {
      case BOOLEAN -> Types.BOOLEAN;
      case INTEGER -> Types.INTEGER;
      case BIGINT -> Types.BIGINT;
      case DOUBLE -> Types.DOUBLE;
      case DECIMAL -> Types.DECIMAL;
      case VARCHAR -> Types.VARCHAR;
      case DATE -> Types.DATE;
      case TIME -> Types.TIME;
      case TIMESTAMP -> Types.TIMESTAMP;
      case ARRAY -> Types.ARRAY;
    };
  }

  private static Calendar utc() {
    return Calendar.getInstance(TimeZone.getTimeZone("UTC"), Locale.ROOT);
  }
}
