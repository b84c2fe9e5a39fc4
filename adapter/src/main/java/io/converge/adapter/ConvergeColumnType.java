package io.converge.adapter;

import io.converge.storage.schema.FieldInfo;
import io.converge.storage.json.JsonText;
import io.converge.storage.json.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The SQL type Converge gives a field path, chosen from the JSON types the catalog has counted
 * there, and the conversion of stored values into Calcite's internal representation.
 *
 * <p>NULL and OBJECT counts do not take part in the choice. One type maps directly; INT plus
 * DOUBLE is DOUBLE; only nulls is VARCHAR; any other mix is {@link #TEXT}, a VARCHAR holding each
 * value's text form. Arrays are SQL ARRAYs whose element type follows the same rules.
 */
public enum ConvergeColumnType {
  BOOLEAN(SqlTypeName.BOOLEAN),
  BIGINT(SqlTypeName.BIGINT),
  DOUBLE(SqlTypeName.DOUBLE),
  VARCHAR(SqlTypeName.VARCHAR),
  /** TIMESTAMP(3); internally epoch milliseconds (UTC wall clock). */
  TIMESTAMP(SqlTypeName.TIMESTAMP),
  /** VARCHAR holding the text form of values of several JSON types. */
  TEXT(SqlTypeName.VARCHAR),
  /** SQL ARRAY; the element type is held by {@link ConvergeColumn}. */
  ARRAY(SqlTypeName.ARRAY);

  public final SqlTypeName sqlTypeName;

  ConvergeColumnType(SqlTypeName sqlTypeName) {
    this.sqlTypeName = sqlTypeName;
  }

  /** The column type for a field's type mask ({@link FieldInfo#typeMask()}). */
  public static ConvergeColumnType ofMask(int typeMask) {
    int m = ConvergeColumnCapabilities.valueTypes(typeMask);
    if (m == 0 || m == ConvergeColumnCapabilities.STRING) {
      return VARCHAR;
    }
    if (m == ConvergeColumnCapabilities.BOOL) {
      return BOOLEAN;
    }
    if (m == ConvergeColumnCapabilities.INT) {
      return BIGINT;
    }
    if (m == ConvergeColumnCapabilities.DOUBLE
        || m == (ConvergeColumnCapabilities.INT | ConvergeColumnCapabilities.DOUBLE)) {
      return DOUBLE;
    }
    if (m == ConvergeColumnCapabilities.TIMESTAMP) {
      return TIMESTAMP;
    }
    if (m == ConvergeColumnCapabilities.ARRAY) {
      return ARRAY;
    }
    return TEXT;
  }

  /** The element type of an array field ({@link FieldInfo#elementTypeMask()}); never ARRAY. */
  public static ConvergeColumnType ofElementMask(int elementTypeMask) {
    ConvergeColumnType t = ofMask(elementTypeMask);
    // Elements are scalars (nested arrays and objects arrive as JSON text), but be safe.
    return t == ARRAY ? TEXT : t;
  }

  /** The nullable SQL type of a column of this type ({@code element} for arrays). */
  public RelDataType relDataType(RelDataTypeFactory typeFactory, ConvergeColumnType element) {
    RelDataType type;
    switch (this) {
    case TIMESTAMP:
      type = typeFactory.createSqlType(SqlTypeName.TIMESTAMP, 3);
      break;
    case ARRAY:
      type = typeFactory.createArrayType(element.relDataType(typeFactory, null), -1);
      break;
    default:
      type = typeFactory.createSqlType(sqlTypeName);
      break;
    }
    return typeFactory.createTypeWithNullability(type, true);
  }

  /**
   * Converts a stored value ({@code RowCursor.get}) to Calcite's internal representation for this
   * type. A value that does not fit (possible only when a write changed the field's types after
   * the query was planned) reads as null rather than failing the query.
   */
  public Object toInternal(Object v, ConvergeColumnType element) {
    if (v == null) {
      return null;
    }
    switch (this) {
    case BOOLEAN:
      return v instanceof Boolean ? v : null;
    case BIGINT:
      return v instanceof Long ? v : null;
    case DOUBLE:
      return v instanceof Long || v instanceof Double ? ((Number) v).doubleValue() : null;
    case VARCHAR:
    case TEXT:
      return text(v);
    case TIMESTAMP:
      return v instanceof Instant t ? t.toEpochMilli() : null;
    case ARRAY:
      if (!(v instanceof List<?> list)) {
        return null;
      }
      List<Object> out = new ArrayList<>(list.size());
      for (Object e : list) {
        out.add(element.toInternal(e, null));
      }
      return out;
    default:
      throw new AssertionError(this);
    }
  }

  /**
   * The text form of a stored value: strings as they are, numbers as their decimal text
   * ({@link Long#toString}, {@link Double#toString}), booleans {@code true}/{@code false},
   * timestamps ISO-8601 ({@link Timestamps#format}), arrays as JSON text.
   */
  public static String text(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Instant t) {
      return Timestamps.format(t);
    }
    if (v instanceof List<?> || v instanceof java.util.Map<?, ?>) {
      return JsonText.write(v);
    }
    return v.toString();
  }
}
