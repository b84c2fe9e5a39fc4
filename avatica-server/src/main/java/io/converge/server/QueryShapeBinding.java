package io.converge.server;

import java.math.BigDecimal;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * Binds a {@link QueryShape}'s literals to the markers of its prepared statement, only where the
 * type Calcite inferred for a marker (the compared column's) takes the literal without a
 * conversion that the literal's own plan would not make: a string for a character column, an
 * integer in range for an integer column, any number for a decimal or double column. Anything
 * else (a string compared with a number, {@code 1.5} with an integer column, a column of mixed
 * type) is refused, and the query is planned with its literals.
 */
final class QueryShapeBinding {
  private QueryShapeBinding() {}

  /** Binds every value, or returns false (and binds nothing usable) when one does not fit. */
  static boolean bind(PreparedStatement ps, List<Object> values) throws SQLException {
    ParameterMetaData md = ps.getParameterMetaData();
    if (md.getParameterCount() != values.size()) {
      return false;
    }
    for (int i = 0; i < values.size(); i++) {
      if (!bind(ps, i + 1, md.getParameterType(i + 1), values.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean bind(PreparedStatement ps, int index, int type, Object value)
      throws SQLException {
    if (value instanceof String s) {
      return switch (type) {
        case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR -> {
          ps.setString(index, s);
          yield true;
        }
        default -> false;
      };
    }
    BigDecimal number = value instanceof Long l ? BigDecimal.valueOf(l) : (BigDecimal) value;
    switch (type) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
        if (!(value instanceof Long l) || !fits(type, l)) {
          return false;
        }
        ps.setLong(index, l);
        return true;
      }
      case Types.DECIMAL, Types.NUMERIC -> {
        ps.setBigDecimal(index, number);
        return true;
      }
      case Types.DOUBLE, Types.FLOAT -> {
        ps.setDouble(index, number.doubleValue());
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private static boolean fits(int type, long v) {
    return switch (type) {
      case Types.TINYINT -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
      case Types.SMALLINT -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
      case Types.INTEGER -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
      default -> true;
    };
  }
}
