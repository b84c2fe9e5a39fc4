package io.converge.rules;

import io.converge.adapter.ConvergeColumnType;
import io.converge.storage.json.JsonText;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DuckDB (in-process) holding the same documents as {@link TestCollection}'s tables, flattened
 * into columns of the SQL types Converge infers for them, as a second reference for the
 * differential test; and a result form both engines print alike (numbers by value, doubles to 12
 * significant digits, timestamps as local date-times, arrays as lists).
 */
public final class DuckDbReference {
  /** The table's columns as Converge types them, in DuckDB's words. */
  private static final String COLUMNS = "{'_id': 'VARCHAR', '_event_time': 'TIMESTAMP', "
      + "'cat': 'VARCHAR', 'status': 'VARCHAR', 'n': 'BIGINT', 'x': 'DOUBLE', 'd': 'DOUBLE', "
      + "'flag': 'BOOLEAN', 'mixed': 'VARCHAR', 'tags': 'VARCHAR[]', 'nested.a': 'VARCHAR', "
      + "'nested.b': 'BIGINT', 'ts': 'TIMESTAMP'}";

  private DuckDbReference() {}

  /** An in-memory DuckDB with one table per entry ({@link TestCollection#documents}). */
  static Connection load(Path work, Map<String, Integer> tables) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      for (Map.Entry<String, Integer> t : tables.entrySet()) {
        Path file = work.resolve(t.getKey() + ".ndjson");
        write(file, TestCollection.documents(t.getValue()).values());
        st.execute("CREATE TABLE " + t.getKey() + " AS SELECT * FROM read_json('"
            + file.toAbsolutePath() + "', format = 'newline_delimited', columns = " + COLUMNS
            + ")");
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return c;
  }

  /** Documents as flat JSON objects: nested leaves under their dotted path, mixed values as text. */
  private static void write(Path file, Iterable<Map<String, Object>> docs) throws IOException {
    Files.createDirectories(file.getParent());
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Map<String, Object> d : docs) {
        Map<String, Object> flat = new LinkedHashMap<>();
        flat.put("_id", d.get("_id"));
        flat.put("_event_time", "2026-01-01 00:00:00"); // RulesTestSupport.NOW
        for (Map.Entry<String, Object> e : d.entrySet()) {
          String k = e.getKey();
          Object v = e.getValue();
          if (k.equals("_id")) {
            continue;
          } else if (v instanceof Map<?, ?> nested) {
            for (Map.Entry<?, ?> n : nested.entrySet()) {
              flat.put(k + "." + n.getKey(), n.getValue());
            }
          } else if (k.equals("mixed")) {
            flat.put(k, ConvergeColumnType.text(v));
          } else if (k.equals("ts") && v instanceof String s) {
            flat.put(k, s.replace('T', ' ').replace("Z", ""));
          } else {
            flat.put(k, v);
          }
        }
        w.write(JsonText.write(flat));
        w.write('\n');
      }
    }
  }

  /** The query's rows in the common form (sorted unless ordered), or the exception. */
  static Object run(Connection c, QueryGenerator.Query q) {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q.sql())) {
      List<String> rows = rows(rs);
      if (!q.ordered()) {
        Collections.sort(rows);
      }
      return rows;
    } catch (SQLException e) {
      return e;
    }
  }

  public static List<String> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<String> out = new ArrayList<>();
    while (rs.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        row.add(cell(rs.getObject(i)));
      }
      out.add(String.join(", ", row));
    }
    return out;
  }

  static String cell(Object o) throws SQLException {
    if (o == null) {
      return "null";
    }
    if (o instanceof Array a) {
      Object[] elements = (Object[]) a.getArray();
      String[] cells = new String[elements.length];
      for (int i = 0; i < elements.length; i++) {
        cells[i] = cell(elements[i]);
      }
      return Arrays.toString(cells);
    }
    if (o instanceof Double || o instanceof Float) {
      return RulesTestSupport.normalize(((Number) o).doubleValue());
    }
    if (o instanceof BigDecimal d) {
      BigDecimal s = d.stripTrailingZeros();
      return s.scale() <= 0 ? s.toBigInteger().toString()
          : RulesTestSupport.normalize(d.doubleValue());
    }
    if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte
        || o instanceof BigInteger) {
      return o.toString();
    }
    if (o instanceof java.sql.Timestamp t) {
      return t.toLocalDateTime().toString();
    }
    if (o instanceof LocalDateTime t) {
      return t.toString();
    }
    return o.toString();
  }
}
