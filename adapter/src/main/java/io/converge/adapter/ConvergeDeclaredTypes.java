package io.converge.adapter;

import io.converge.storage.schema.DeclaredColumn;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * SQL types of declared columns ({@code CREATE TABLE}) and the conversion between their stored
 * values ({@link io.converge.storage.schema.DeclaredSchema}) and Calcite's internal ones:
 * integer types are Byte / Short / Integer / Long, REAL a Float, FLOAT and DOUBLE Doubles,
 * DECIMAL a BigDecimal at the declared scale, CHAR / VARCHAR Strings, DATE days since the epoch
 * (int), TIMESTAMP epoch milliseconds (long).
 */
public final class ConvergeDeclaredTypes {
  private static final long DAY_MILLIS = 86_400_000L;

  private ConvergeDeclaredTypes() {}

  /** The (not null) SQL type of a declared column. */
  public static RelDataType relDataType(RelDataTypeFactory f, DeclaredColumn d) {
    return switch (d.type()) {
      case BOOLEAN -> f.createSqlType(SqlTypeName.BOOLEAN);
      case TINYINT -> f.createSqlType(SqlTypeName.TINYINT);
      case SMALLINT -> f.createSqlType(SqlTypeName.SMALLINT);
      case INTEGER -> f.createSqlType(SqlTypeName.INTEGER);
      case BIGINT -> f.createSqlType(SqlTypeName.BIGINT);
      case REAL -> f.createSqlType(SqlTypeName.REAL);
      case FLOAT -> f.createSqlType(SqlTypeName.FLOAT);
      case DOUBLE -> f.createSqlType(SqlTypeName.DOUBLE);
      case DECIMAL -> f.createSqlType(SqlTypeName.DECIMAL, d.precision(), d.scale());
      case CHAR -> d.precision() < 0 ? f.createSqlType(SqlTypeName.CHAR)
          : f.createSqlType(SqlTypeName.CHAR, d.precision());
      case VARCHAR -> d.precision() < 0 ? f.createSqlType(SqlTypeName.VARCHAR)
          : f.createSqlType(SqlTypeName.VARCHAR, d.precision());
      case DATE -> f.createSqlType(SqlTypeName.DATE);
      case TIMESTAMP -> f.createSqlType(SqlTypeName.TIMESTAMP, 3);
    };
  }

  /** A stored value as Calcite holds it; null when absent (or of an unexpected kind). */
  public static Object toInternal(DeclaredColumn d, Object v) {
    if (v == null) {
      return null;
    }
    switch (d.type()) {
    case BOOLEAN:
      return v instanceof Boolean ? v : null;
    case TINYINT:
      return v instanceof Long l ? (Object) l.byteValue() : null;
    case SMALLINT:
      return v instanceof Long l ? (Object) l.shortValue() : null;
    case INTEGER:
      return v instanceof Long l ? (Object) l.intValue() : null;
    case BIGINT:
      return v instanceof Long ? v : null;
    case REAL:
      return v instanceof Number n ? (Object) n.floatValue() : null;
    case FLOAT:
    case DOUBLE:
      return v instanceof Number n ? (Object) n.doubleValue() : null;
    case DECIMAL:
      if (!(v instanceof Number n)) {
        return null;
      }
      BigDecimal b = v instanceof Long l ? BigDecimal.valueOf(l) : BigDecimal.valueOf(n.doubleValue());
      return d.precision() >= 0 ? b.setScale(d.scale(), RoundingMode.HALF_UP) : b;
    case CHAR:
    case VARCHAR:
      return ConvergeColumnType.text(v);
    case DATE:
      return v instanceof Instant t ? (Object) (int) Math.floorDiv(t.toEpochMilli(), DAY_MILLIS)
          : null;
    case TIMESTAMP:
      return v instanceof Instant t ? (Object) t.toEpochMilli() : null;
    default:
      throw new AssertionError(d.type());
    }
  }

  /**
   * A value Calcite hands to a write (INSERT / UPDATE) in the form the storage layer's coercion
   * takes: numbers as Long or Double (DECIMAL as its exact text), DATE and TIMESTAMP as instants.
   */
  public static Object toStored(DeclaredColumn d, Object v) {
    if (v == null) {
      return null;
    }
    switch (d.type()) {
    case DATE:
      if (v instanceof Integer days) {
        return Instant.ofEpochMilli(days * DAY_MILLIS);
      }
      break;
    case TIMESTAMP:
      if (v instanceof java.sql.Timestamp t) {
        return t.toInstant();
      }
      if (v instanceof Long millis) {
        return Instant.ofEpochMilli(millis);
      }
      break;
    default:
      break;
    }
    if (v instanceof BigDecimal b) {
      try {
        return b.longValueExact();
      } catch (ArithmeticException e) {
        return d.type() == io.converge.storage.schema.DeclaredType.DECIMAL ? b.toPlainString()
            : (Object) b.doubleValue();
      }
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return (double) f;
    }
    return v;
  }
}
