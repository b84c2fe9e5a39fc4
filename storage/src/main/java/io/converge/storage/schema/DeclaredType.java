package io.converge.storage.schema;

/**
 * A column type a collection can declare ({@code CREATE TABLE}), and the JSON-level form its
 * values are stored in: integer types as int64, REAL / FLOAT / DOUBLE / DECIMAL as float64,
 * CHAR / VARCHAR as strings, DATE and TIMESTAMP as timestamps (a DATE is midnight UTC).
 */
public enum DeclaredType {
  BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, REAL, FLOAT, DOUBLE, DECIMAL, CHAR, VARCHAR, DATE,
  TIMESTAMP;

  /** Smallest value of an integer type. */
  public long minValue() {
    return switch (this) {
      case TINYINT -> Byte.MIN_VALUE;
      case SMALLINT -> Short.MIN_VALUE;
      case INTEGER -> Integer.MIN_VALUE;
      default -> Long.MIN_VALUE;
    };
  }

  /** Largest value of an integer type. */
  public long maxValue() {
    return switch (this) {
      case TINYINT -> Byte.MAX_VALUE;
      case SMALLINT -> Short.MAX_VALUE;
      case INTEGER -> Integer.MAX_VALUE;
      default -> Long.MAX_VALUE;
    };
  }

  public boolean isInteger() {
    return this == TINYINT || this == SMALLINT || this == INTEGER || this == BIGINT;
  }

  /** Stored as a float64. */
  public boolean isApproximate() {
    return this == REAL || this == FLOAT || this == DOUBLE || this == DECIMAL;
  }

  public boolean isText() {
    return this == CHAR || this == VARCHAR;
  }
}
