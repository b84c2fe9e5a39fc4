package io.converge.cluster.fragment;

/**
 * The types of a fragment's columns on the wire, and the Java value each carries in rows handed
 * to a {@link RowSink} and returned by a {@link FragmentStream} (Calcite's internal
 * representation, so the aggregator's generated code takes them as they are). Null is null.
 */
public enum FragmentType {
  /** Boolean. */
  BOOLEAN,
  /** Integer (also TINYINT and SMALLINT, widened). */
  INTEGER,
  /** Long. */
  BIGINT,
  /** Double (also REAL and FLOAT, widened). */
  DOUBLE,
  /** java.math.BigDecimal. */
  DECIMAL,
  /** String (also CHAR). */
  VARCHAR,
  /** Integer: days since 1970-01-01. */
  DATE,
  /** Integer: milliseconds of the day. */
  TIME,
  /** Long: milliseconds since 1970-01-01T00:00Z. */
  TIMESTAMP,
  /** java.util.List of the element type's values. */
  ARRAY
}
