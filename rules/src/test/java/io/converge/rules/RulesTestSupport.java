package io.converge.rules;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.adapter.ConvergeJdbc;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Writing documents through the storage API and reading query results as text. */
final class RulesTestSupport {
  private RulesTestSupport() {}

  static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  /** Upserts documents (maps as the JSON reader produces them). */
  static void upsert(ConvergeStore store, String collection, List<Map<String, Object>> docs) {
    ConvergeCollection c = store.getOrCreate(collection);
    DocumentPreparer preparer = new DocumentPreparer();
    List<PreparedDocument> prepared = new ArrayList<>(docs.size());
    try {
      for (Map<String, Object> d : docs) {
        prepared.add(preparer.prepare(d, NOW));
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertTrue(!prepared.isEmpty());
    c.upsert(prepared);
  }

  static List<String> query(Connection conn, String sql) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rows(rs);
    }
  }

  static String explain(Connection conn, String sql) throws SQLException {
    return String.join("\n", query(conn, "explain plan for " + sql));
  }

  static List<String> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<String> out = new ArrayList<>();
    while (rs.next()) {
      StringBuilder b = new StringBuilder();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        if (i > 1) {
          b.append(", ");
        }
        Object o = rs.getObject(i);
        if (o instanceof Array a) {
          b.append(Arrays.toString((Object[]) a.getArray()));
        } else if (o instanceof Double d) {
          b.append(normalize(d));
        } else if (o instanceof Float f) {
          b.append(normalize(f.doubleValue()));
        } else {
          b.append(o == null ? "null" : rs.getString(i));
        }
      }
      out.add(b.toString());
    }
    return out;
  }

  /** Doubles to 12 significant digits, so summation order does not show. */
  static String normalize(double d) {
    if (d == 0) {
      return "0.0";
    }
    return new java.math.BigDecimal(d).round(new java.math.MathContext(12)).stripTrailingZeros()
        .toPlainString();
  }

  static Connection connect(java.nio.file.Path dir, boolean pushdown) throws SQLException {
    return ConvergeJdbc.connect(dir, pushdown);
  }
}
