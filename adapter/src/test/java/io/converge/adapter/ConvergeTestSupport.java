package io.converge.adapter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.JsonDocumentReader;
import io.converge.storage.json.PreparedDocument;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Writing documents through the storage API and reading query results as text. */
final class ConvergeTestSupport {
  private ConvergeTestSupport() {}

  /** Upserts JSON documents (one per string) into a collection, creating it when needed. */
  static void write(ConvergeStore store, String collection, String... json) {
    ConvergeCollection c = store.getOrCreate(collection);
    DocumentPreparer preparer = new DocumentPreparer();
    List<PreparedDocument> docs = new ArrayList<>();
    try {
      for (JsonDocumentReader.Entry e : JsonDocumentReader.readAll(
          new ByteArrayInputStream(String.join("\n", json).getBytes(StandardCharsets.UTF_8)))) {
        assertTrue(e.ok(), () -> "bad test document: " + e.error());
        docs.add(preparer.prepare(e.document(), 1_767_225_600_000L)); // 2026-01-01T00:00:00Z
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    c.upsert(docs);
  }

  /** The sample orders and customers used by most tests. */
  static void writeSample(ConvergeStore store) {
    write(store, "orders",
        """
        {"_id":"o1","_event_time":"2026-01-01T10:00:00Z","status":"shipped","amount":120.5,"qty":2,\
        "customer":{"id":"c1","country":"DE"},"tags":["gift","express"],"code":42,\
        "ts":"2026-01-05T08:00:00Z","big":4000000000000000000}""",
        """
        {"_id":"o2","_event_time":"2026-01-02T10:00:00Z","status":"pending","amount":80,"qty":1,\
        "customer":{"id":"c2","country":"FR"},"tags":["express"],"code":"A7",\
        "big":4000000000000000000}""",
        """
        {"_id":"o3","_event_time":"2026-01-03T10:00:00Z","status":"shipped","amount":50.25,"qty":5,\
        "customer":{"id":"c1","country":"DE"},"tags":[],"code":true}""",
        """
        {"_id":"o4","_event_time":"2026-01-04T10:00:00Z","status":"cancelled","qty":3,\
        "customer":{"id":"c3"},"code":null}""",
        """
        {"_id":"o5","_event_time":"2026-01-05T10:00:00Z","status":"shipped","amount":200.5,"qty":1,\
        "customer":{"id":"c4","country":"US"},"tags":["gift"],"code":2.5}""");
    write(store, "customers",
        "{\"_id\":\"c1\",\"name\":\"Anna\",\"country\":\"DE\",\"vip\":true}",
        "{\"_id\":\"c2\",\"name\":\"Bruno\",\"country\":\"FR\",\"vip\":false}",
        "{\"_id\":\"c3\",\"name\":\"Chen\",\"country\":\"CN\",\"vip\":false}",
        "{\"_id\":\"c5\",\"name\":\"Eve\",\"country\":\"US\",\"vip\":true}");
  }

  /** Runs a query; each row as its columns' text joined by ", " (arrays as [a, b], null as null). */
  static List<String> query(Connection conn, String sql) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rows(rs);
    }
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
        } else {
          b.append(o == null ? "null" : rs.getString(i));
        }
      }
      out.add(b.toString());
    }
    return out;
  }

  /** Opens the test's connection; the caller releases the store via {@link #release}. */
  static Connection connect(Path dir) throws SQLException {
    return ConvergeJdbc.connect(dir);
  }

  static void release(Path dir) {
    ConvergeSchemaFactory.release(dir);
  }
}
