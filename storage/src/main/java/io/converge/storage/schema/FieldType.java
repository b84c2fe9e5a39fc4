package io.converge.storage.schema;

/**
 * The JSON-level type of one stored value. The catalog counts, per field path, how many
 * documents hold each type; the SQL layer maps those counts to a column type.
 */
public enum FieldType {
  NULL, BOOL, INT, DOUBLE, STRING, TIMESTAMP, ARRAY, OBJECT;

  private static final FieldType[] VALUES = values();

  public static FieldType of(int ordinal) {
    return VALUES[ordinal];
  }

  /** Type of a normalized leaf value (see {@code DocumentFlattener}). */
  public static FieldType ofValue(Object v) {
    if (v == null) {
      return NULL;
    } else if (v instanceof Boolean) {
      return BOOL;
    } else if (v instanceof Long) {
      return INT;
    } else if (v instanceof Double) {
      return DOUBLE;
    } else if (v instanceof String) {
      return STRING;
    } else if (v instanceof java.time.Instant) {
      return TIMESTAMP;
    } else if (v instanceof java.util.List) {
      return ARRAY;
    } else if (v instanceof java.util.Map) {
      return OBJECT;
    }
    throw new IllegalArgumentException("not a normalized value: " + v.getClass().getName());
  }
}
