package io.converge.storage.schema;

import io.converge.storage.encoding.ByteSink;
import io.converge.storage.encoding.DocumentCodec;
import io.converge.storage.encoding.VarInts;
import io.converge.storage.json.DocumentFlattener;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.JsonText;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.json.Timestamps;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The schema a collection was created with ({@code CREATE TABLE}): its columns in order and its
 * primary key. Stored in the catalog with the collection; fixed for the collection's life.
 *
 * <p>Every document written to such a collection passes {@link #conform}, whatever the writer
 * (SQL, HTTP, bulk load, Kafka): its fields must be declared columns, and each value is coerced to
 * its column's type with these rules (anything else is refused, naming column, value and type):
 * <ul>
 *   <li>integer types: an integer within the type's range; a float64 with no fractional part; a
 *       string holding an integer ({@code '12'});
 *   <li>REAL, FLOAT, DOUBLE: any number (REAL: within float range, rounded to float); a string
 *       holding a number;
 *   <li>DECIMAL(p, s): a number or numeric string, rounded half-up to s digits, at most p - s
 *       digits before the point; stored as a float64 (so at most 15 significant digits keep);
 *   <li>CHAR(n), VARCHAR(n): a string of at most n characters (CHAR is padded with spaces to n);
 *       integers, float64s and booleans become their text;
 *   <li>BOOLEAN: a boolean, or the string {@code true} / {@code false} (any case);
 *   <li>DATE: a date string {@code 2026-11-25} or a timestamp at midnight UTC;
 *   <li>TIMESTAMP: an ISO-8601 date-time string, a timestamp, or epoch milliseconds;
 *   <li>null (or a missing field) is allowed unless the column is NOT NULL or in the primary key.
 * </ul>
 * Field names match columns exactly, else case-insensitively (the document is stored under the
 * declared name). Nested objects and arrays are refused. {@code _id} is the primary key's text
 * (several columns: a JSON array of their values) when there is one, else as for any document.
 */
public final class DeclaredSchema {
  private static final int FORMAT = 1;
  /** The largest DECIMAL precision a float64 holds exactly enough (15 significant digits). */
  public static final int MAX_DECIMAL_PRECISION = 15;

  private final List<DeclaredColumn> columns;
  private final List<Integer> primaryKey;
  private final Map<String, Integer> byName = new HashMap<>();
  private final Map<String, Integer> byLowerName = new HashMap<>();

  public DeclaredSchema(List<DeclaredColumn> columns, List<Integer> primaryKey) {
    if (columns.isEmpty()) {
      throw new DeclaredSchemaException("a table needs at least one column");
    }
    List<DeclaredColumn> cols = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      DeclaredColumn c = columns.get(i);
      check(c);
      if (primaryKey.contains(i) && c.nullable()) {
        c = new DeclaredColumn(c.name(), c.type(), c.precision(), c.scale(), false);
      }
      if (byLowerName.put(c.name().toLowerCase(Locale.ROOT), i) != null) {
        throw new DeclaredSchemaException("column '" + c.name() + "' is declared twice");
      }
      byName.put(c.name(), i);
      cols.add(c);
    }
    Set<Integer> seen = new HashSet<>();
    for (int k : primaryKey) {
      if (k < 0 || k >= cols.size() || !seen.add(k)) {
        throw new DeclaredSchemaException("invalid primary key column index " + k);
      }
    }
    this.columns = List.copyOf(cols);
    this.primaryKey = List.copyOf(primaryKey);
  }

  private static void check(DeclaredColumn c) {
    String n = c.name();
    if (n == null || n.isEmpty()) {
      throw new DeclaredSchemaException("a column name must not be empty");
    }
    if (n.startsWith("_")) {
      throw new DeclaredSchemaException("column '" + n + "': names starting with '_' are "
          + "reserved for system fields (_id, _event_time)");
    }
    if (n.contains(".")) {
      throw new DeclaredSchemaException("column '" + n + "': a declared column name cannot "
          + "contain '.' (dots name nested fields)");
    }
    if (c.type() == DeclaredType.DECIMAL && c.precision() > MAX_DECIMAL_PRECISION) {
      throw new DeclaredSchemaException("column '" + n + "': DECIMAL precision " + c.precision()
          + " is above " + MAX_DECIMAL_PRECISION + " (DECIMAL values are stored as float64)");
    }
    if (c.type() == DeclaredType.DECIMAL && c.precision() >= 0
        && (c.scale() < 0 || c.scale() > c.precision())) {
      throw new DeclaredSchemaException("column '" + n + "': DECIMAL scale " + c.scale()
          + " must be between 0 and the precision " + c.precision());
    }
    if (c.type().isText() && c.precision() == 0) {
      throw new DeclaredSchemaException("column '" + n + "': length must be at least 1");
    }
  }

  public List<DeclaredColumn> columns() {
    return columns;
  }

  /** Indexes into {@link #columns()} of the primary key, in key order; empty when none. */
  public List<Integer> primaryKey() {
    return primaryKey;
  }

  /** The column's index: exact name, else the one that matches ignoring case; -1 if none. */
  public int indexOf(String name) {
    Integer i = byName.get(name);
    if (i == null) {
      i = byLowerName.get(name.toLowerCase(Locale.ROOT));
    }
    return i == null ? -1 : i;
  }

  // ---- catalog encoding ----

  public byte[] encode() {
    ByteSink out = new ByteSink(32 + columns.size() * 16);
    VarInts.writeUnsigned(out, FORMAT);
    VarInts.writeUnsigned(out, columns.size());
    for (DeclaredColumn c : columns) {
      out.writeString(c.name());
      VarInts.writeUnsigned(out, c.type().ordinal());
      VarInts.writeSigned(out, c.precision());
      VarInts.writeSigned(out, c.scale());
      VarInts.writeUnsigned(out, c.nullable() ? 1 : 0);
    }
    VarInts.writeUnsigned(out, primaryKey.size());
    for (int k : primaryKey) {
      VarInts.writeUnsigned(out, k);
    }
    return out.toByteArray();
  }

  public static DeclaredSchema decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int format = VarInts.readInt(in);
    if (format != FORMAT) {
      throw new IllegalStateException("unknown declared-schema format " + format);
    }
    int n = VarInts.readInt(in);
    List<DeclaredColumn> cols = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = VarInts.readInt(in);
      String name = new String(bytes, in.position(), len, StandardCharsets.UTF_8);
      in.position(in.position() + len);
      DeclaredType type = DeclaredType.values()[VarInts.readInt(in)];
      int precision = (int) VarInts.readSigned(in);
      int scale = (int) VarInts.readSigned(in);
      boolean nullable = VarInts.readInt(in) == 1;
      cols.add(new DeclaredColumn(name, type, precision, scale, nullable));
    }
    int k = VarInts.readInt(in);
    List<Integer> pk = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      pk.add(VarInts.readInt(in));
    }
    return new DeclaredSchema(cols, pk);
  }

  // ---- conforming documents ----

  /**
   * The document as the declared schema stores it: declared names, coerced values, the primary
   * key's {@code _id}. Throws {@link DeclaredSchemaException} when it does not fit.
   */
  public PreparedDocument conform(PreparedDocument d, String table) {
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = (Map<String, Object>) DocumentCodec.decode(d.row());
    Object[] values = new Object[columns.size()];
    boolean[] given = new boolean[columns.size()];
    for (Map.Entry<String, Object> e : doc.entrySet()) {
      String key = e.getKey();
      if (key.equals(DocumentPreparer.ID) || key.equals(DocumentPreparer.EVENT_TIME)) {
        continue;
      }
      int i = indexOf(key);
      if (i < 0) {
        throw new DeclaredSchemaException("table '" + table + "' has no column '" + key
            + "' (declared columns: " + columnNames() + "); documents of a table created with "
            + "CREATE TABLE may hold only its columns");
      }
      if (given[i]) {
        throw new DeclaredSchemaException("table '" + table + "': column '"
            + columns.get(i).name() + "' is given twice (as '" + key + "')");
      }
      given[i] = true;
      values[i] = coerce(columns.get(i), e.getValue(), table);
    }
    for (int i = 0; i < columns.size(); i++) {
      if (values[i] == null && !columns.get(i).nullable()) {
        throw new DeclaredSchemaException("table '" + table + "': column '"
            + columns.get(i).name() + "' is NOT NULL" + (primaryKey.contains(i)
                ? " (primary key)" : "") + " and has no value");
      }
    }
    String id = d.id();
    if (!primaryKey.isEmpty()) {
      id = keyText(values);
    }
    Map<String, Object> stored = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      if (values[i] != null) {
        stored.put(columns.get(i).name(), values[i]);
      }
    }
    byte[] row = DocumentCodec.encodeDocument(id, d.eventTimeMillis(), stored);
    List<String> paths = new ArrayList<>(stored.size());
    List<Object> leaves = new ArrayList<>(stored.size());
    DocumentFlattener.flatten(stored, (path, value) -> {
      paths.add(path);
      leaves.add(value);
    });
    return new PreparedDocument(id, d.eventTimeMillis(), row, paths, leaves, List.of());
  }

  private String keyText(Object[] values) {
    if (primaryKey.size() == 1) {
      return text(values[primaryKey.get(0)]);
    }
    List<Object> key = new ArrayList<>(primaryKey.size());
    for (int k : primaryKey) {
      Object v = values[k];
      key.add(v instanceof Instant t ? Timestamps.format(t) : v);
    }
    return JsonText.write(key);
  }

  private static String text(Object v) {
    if (v instanceof Instant t) {
      return Timestamps.format(t);
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(v);
  }

  private String columnNames() {
    List<String> names = new ArrayList<>(columns.size());
    for (DeclaredColumn c : columns) {
      names.add(c.name());
    }
    return String.join(", ", names);
  }

  /** A value coerced to a column's stored form; null stays null. */
  public static Object coerce(DeclaredColumn c, Object v, String table) {
    if (v == null) {
      return null;
    }
    Object out = switch (c.type()) {
      case BOOLEAN -> toBoolean(v);
      case TINYINT, SMALLINT, INTEGER, BIGINT -> toInteger(c.type(), v);
      case REAL, FLOAT, DOUBLE -> toDouble(c.type(), v);
      case DECIMAL -> toDecimal(c, v);
      case CHAR, VARCHAR -> toText(c, v);
      case DATE -> toDate(v);
      case TIMESTAMP -> toTimestamp(v);
    };
    if (out == null) {
      throw new DeclaredSchemaException("table '" + table + "': column '" + c.name() + "' ("
          + c.typeText() + ") cannot hold " + describe(v));
    }
    return out;
  }

  private static Boolean toBoolean(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      String t = s.trim();
      if (t.equalsIgnoreCase("true")) {
        return true;
      }
      if (t.equalsIgnoreCase("false")) {
        return false;
      }
    }
    return null;
  }

  private static Long toInteger(DeclaredType type, Object v) {
    long l;
    if (v instanceof Long x) {
      l = x;
    } else if (v instanceof Double d) {
      if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) >= 0x1p63) {
        return null;
      }
      l = d.longValue();
    } else if (v instanceof String s) {
      try {
        l = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    } else {
      return null;
    }
    return l < type.minValue() || l > type.maxValue() ? null : l;
  }

  private static Double toDouble(DeclaredType type, Object v) {
    double d;
    if (v instanceof Long l) {
      d = l;
    } else if (v instanceof Double x) {
      d = x;
    } else if (v instanceof String s) {
      try {
        d = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    } else {
      return null;
    }
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return null;
    }
    if (type == DeclaredType.REAL) {
      if (Math.abs(d) > Float.MAX_VALUE) {
        return null;
      }
      return (double) (float) d;
    }
    return d;
  }

  private static Double toDecimal(DeclaredColumn c, Object v) {
    BigDecimal b;
    try {
      if (v instanceof Long l) {
        b = BigDecimal.valueOf(l);
      } else if (v instanceof Double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          return null;
        }
        b = BigDecimal.valueOf(d);
      } else if (v instanceof String s) {
        b = new BigDecimal(s.trim());
      } else {
        return null;
      }
    } catch (NumberFormatException e) {
      return null;
    }
    if (c.precision() >= 0) {
      b = b.setScale(Math.max(c.scale(), 0), RoundingMode.HALF_UP);
      if (b.precision() - b.scale() > c.precision() - c.scale()) {
        return null;
      }
    }
    return b.doubleValue();
  }

  private static String toText(DeclaredColumn c, Object v) {
    String s;
    if (v instanceof String x) {
      s = x;
    } else if (v instanceof Long || v instanceof Boolean) {
      s = v.toString();
    } else if (v instanceof Double d) {
      s = BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    } else if (v instanceof Instant t) {
      s = Timestamps.format(t);
    } else {
      return null;
    }
    if (c.precision() >= 0) {
      if (s.length() > c.precision()) {
        return null;
      }
      if (c.type() == DeclaredType.CHAR && s.length() < c.precision()) {
        s = s + " ".repeat(c.precision() - s.length());
      }
    }
    return s;
  }

  private static Instant toDate(Object v) {
    Instant t = null;
    if (v instanceof Instant x) {
      t = x;
    } else if (v instanceof String s) {
      String x = s.trim();
      try {
        t = LocalDate.parse(x).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e) {
        t = Timestamps.parse(x);
      }
    }
    if (t == null || t.toEpochMilli() % 86_400_000L != 0) {
      return null; // not a date, or a time of day other than midnight
    }
    return t;
  }

  private static Instant toTimestamp(Object v) {
    if (v instanceof Instant t) {
      return t;
    }
    if (v instanceof Long l) {
      return Instant.ofEpochMilli(l);
    }
    if (v instanceof String s) {
      String x = s.trim();
      Instant t = Timestamps.parse(x);
      if (t == null) {
        try {
          t = LocalDate.parse(x).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
          return null;
        }
      }
      return t;
    }
    return null;
  }

  private static String describe(Object v) {
    if (v instanceof String s) {
      return "'" + (s.length() <= 60 ? s : s.substring(0, 57) + "...") + "' (a string)";
    }
    if (v instanceof Long) {
      return v + " (an integer)";
    }
    if (v instanceof Double) {
      return v + " (a number)";
    }
    if (v instanceof Boolean) {
      return v + " (a boolean)";
    }
    if (v instanceof Instant t) {
      return Timestamps.format(t) + " (a timestamp)";
    }
    if (v instanceof Map) {
      return "an object (declared columns hold scalar values)";
    }
    if (v instanceof List) {
      return "an array (declared columns hold scalar values)";
    }
    return String.valueOf(v);
  }

  @Override
  public String toString() {
    return columns + (primaryKey.isEmpty() ? "" : " primary key " + primaryKey);
  }
}
