package io.converge.adapter;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.schema.FieldInfo;
import io.converge.storage.schema.FieldType;
import io.converge.storage.exec.TopNSelector;

/**
 * What the storage layer can do with a column's stored values exactly as SQL does with the
 * column's SQL values: compare, group, sum, order, test array membership. Each answer comes from
 * the JSON types the schema has counted at the column's path ({@link ConvergeTable#typeMask}), the
 * same type mask that {@link ConvergeColumnType#ofMask} maps to the column's SQL type.
 *
 * <p>NULL and OBJECT counts never decide: a null is null in both worlds, and an object at a leaf
 * path reads as null. A column is <em>exactly typed</em> when every other value has the one JSON
 * type its SQL type stands for (a DOUBLE column may also hold INT values, which compare and sum as
 * doubles in both worlds).
 */
public final class ConvergeColumnCapabilities {
  private ConvergeColumnCapabilities() {}

  static final int NULL = bit(FieldType.NULL);
  static final int OBJECT = bit(FieldType.OBJECT);
  static final int BOOL = bit(FieldType.BOOL);
  static final int INT = bit(FieldType.INT);
  static final int DOUBLE = bit(FieldType.DOUBLE);
  static final int STRING = bit(FieldType.STRING);
  static final int TIMESTAMP = bit(FieldType.TIMESTAMP);
  static final int ARRAY = bit(FieldType.ARRAY);

  private static int bit(FieldType t) {
    return 1 << t.ordinal();
  }

  /** The JSON types of a mask that a non-null SQL value can come from (not NULL, not OBJECT). */
  static int valueTypes(int typeMask) {
    return typeMask & ~(NULL | OBJECT);
  }

  /** INT values only, or DOUBLE values with or without INT ones. */
  private static boolean numeric(ConvergeColumnType type, int m) {
    return switch (type) {
      case BIGINT -> m == INT;
      case DOUBLE -> m != 0 && (m & ~(INT | DOUBLE)) == 0;
      default -> false;
    };
  }

  /**
   * Whether storage compares a (non-system) column's values exactly as SQL compares them: every
   * non-null value is of the JSON type of the column's type (BIGINT, DOUBLE, VARCHAR, BOOLEAN,
   * TIMESTAMP). Index filters, semi-joins and the other capabilities build on this.
   */
  public static boolean comparable(ConvergeTable table, ConvergeColumn c) {
    int m = valueTypes(table.typeMask(c));
    return switch (c.type()) {
      case BIGINT, DOUBLE -> numeric(c.type(), m);
      case VARCHAR -> m == STRING;
      case BOOLEAN -> m == BOOL;
      case TIMESTAMP -> m == TIMESTAMP;
      default -> false;
    };
  }

  /**
   * Whether a column can be a storage GROUP BY key or a COUNT(DISTINCT) argument: its stored
   * values are equal exactly when Calcite's are. One JSON type (so not INT mixed with DOUBLE), and
   * not timestamps, whose sub-millisecond digits Calcite does not see.
   */
  public static boolean groupable(ConvergeTable table, ConvergeColumn c) {
    if (c.path().equals(CollectionSnapshot.ID)) {
      return true;
    }
    if (c.path().equals(CollectionSnapshot.EVENT_TIME)) {
      return false;
    }
    int m = valueTypes(table.typeMask(c));
    return switch (c.type()) {
      case BIGINT -> m == INT;
      case DOUBLE -> m == DOUBLE;
      case VARCHAR -> m == STRING;
      case BOOLEAN -> m == BOOL;
      default -> false;
    };
  }

  /** Whether storage can SUM a column: BIGINT of INT values, DOUBLE of DOUBLE (and INT) values. */
  public static boolean summable(ConvergeTable table, ConvergeColumn c) {
    return numeric(c.type(), valueTypes(table.typeMask(c)));
  }

  /** Whether storage can take a column's MIN / MAX: numbers, strings, timestamps. */
  public static boolean orderable(ConvergeTable table, ConvergeColumn c) {
    if (c.path().equals(CollectionSnapshot.ID) || c.path().equals(CollectionSnapshot.EVENT_TIME)) {
      return true;
    }
    return switch (c.type()) {
      case BIGINT, DOUBLE, VARCHAR, TIMESTAMP -> comparable(table, c);
      default -> false;
    };
  }

  /**
   * How {@link TopNSelector} must compare a column's values to order them as Calcite orders the
   * column's SQL values, or null when it cannot (mixed types, arrays): BIGINT of INT values as
   * longs, DOUBLE (INT and DOUBLE values) as doubles, VARCHAR of strings (or only nulls) by
   * {@link String#compareTo}, BOOLEAN, TIMESTAMP by epoch millisecond.
   */
  public static TopNSelector.Order sortOrder(ConvergeTable table, ConvergeColumn c) {
    if (c.path().equals(CollectionSnapshot.ID)) {
      return TopNSelector.Order.STRING;
    }
    if (c.path().equals(CollectionSnapshot.EVENT_TIME)) {
      return TopNSelector.Order.TIMESTAMP_MILLIS;
    }
    if (c.type() == ConvergeColumnType.VARCHAR && valueTypes(table.typeMask(c)) == 0) {
      return TopNSelector.Order.STRING;
    }
    if (!comparable(table, c)) {
      return null;
    }
    return switch (c.type()) {
      case BIGINT -> TopNSelector.Order.LONG;
      case DOUBLE -> TopNSelector.Order.DOUBLE;
      case VARCHAR -> TopNSelector.Order.STRING;
      case BOOLEAN -> TopNSelector.Order.BOOLEAN;
      case TIMESTAMP -> TopNSelector.Order.TIMESTAMP_MILLIS;
      default -> null;
    };
  }

  /**
   * Whether storage can test an ARRAY column for an element ({@code ARRAY_CONTAINS}) as SQL does:
   * every non-null value is an array (no scalars, no objects), and every non-null element is of
   * the JSON type of the element type (BIGINT, DOUBLE, VARCHAR, BOOLEAN).
   */
  public static boolean containable(ConvergeTable table, ConvergeColumn c) {
    FieldInfo f = table.schema().field(c.path());
    if (c.type() != ConvergeColumnType.ARRAY || f == null
        || (table.typeMask(c) & ~NULL) != ARRAY) {
      return false;
    }
    int elements = f.elementTypeMask() & ~NULL;
    return switch (c.elementType()) {
      case BIGINT, DOUBLE -> numeric(c.elementType(), elements);
      case VARCHAR -> elements == STRING;
      case BOOLEAN -> elements == BOOL;
      default -> false;
    };
  }
}
