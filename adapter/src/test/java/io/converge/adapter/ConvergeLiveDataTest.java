package io.converge.adapter;

import static io.converge.adapter.ConvergeTestSupport.query;
import static io.converge.adapter.ConvergeTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes made while a connection is open: new collections, new fields, upserts, deletes. */
class ConvergeLiveDataTest {
  @TempDir
  Path dir;
  ConvergeStore store;
  Connection conn;

  @BeforeEach
  void setUp() throws SQLException {
    store = ConvergeSchemaFactory.store(dir);
    write(store, "events", "{\"_id\":\"e1\",\"a\":1}", "{\"_id\":\"e2\",\"a\":2}");
    conn = ConvergeJdbc.connect(dir);
  }

  @AfterEach
  void tearDown() throws SQLException {
    conn.close();
    ConvergeSchemaFactory.release(dir);
  }

  @Test
  void collectionCreatedAfterTheConnectionOpenedBecomesVisible() throws SQLException {
    SQLException e = assertThrows(SQLException.class,
        () -> query(conn, "select count(*) from later"));
    assertTrue(e.getMessage().contains("Object 'later' not found"), e.getMessage());
    write(store, "later", "{\"_id\":\"l1\",\"x\":\"y\"}");
    assertEquals(List.of("l1, y"), query(conn, "select _id, x from later"));
  }

  @Test
  void fieldThatAppearsLaterBecomesAColumn() throws SQLException {
    assertThrows(SQLException.class, () -> query(conn, "select b from events"));
    write(store, "events", "{\"_id\":\"e3\",\"a\":3,\"b\":\"new\"}");
    assertEquals(List.of("e1, 1, null", "e2, 2, null", "e3, 3, new"),
        query(conn, "select _id, a, b from events"));
  }

  @Test
  void fieldWhoseTypesChangeChangesColumnType() throws SQLException {
    assertEquals(List.of("3"), query(conn, "select sum(a) from events"));
    write(store, "events", "{\"_id\":\"e3\",\"a\":\"three\"}");
    assertEquals(List.of("1", "2", "three"), query(conn, "select a from events"));
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("select a from events")) {
      assertEquals("VARCHAR", rs.getMetaData().getColumnTypeName(1));
    }
  }

  @Test
  void upsertedAndDeletedDocumentsAreReflected() throws SQLException {
    write(store, "events", "{\"_id\":\"e1\",\"a\":10}", "{\"_id\":\"e4\",\"a\":4}");
    store.collection("events").delete(List.of("e2"));
    assertEquals(List.of("e1, 10", "e4, 4"),
        query(conn, "select _id, a from events order by _id"));
    assertEquals(List.of("2, 14"), query(conn, "select count(*), sum(a) from events"));
  }

  @Test
  void runningQueryKeepsItsSnapshotWhileWritesContinue() throws SQLException {
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("select _id, a from events")) {
      List<String> seen = new ArrayList<>();
      assertTrue(rs.next());
      seen.add(rs.getString(1) + "=" + rs.getLong(2));
      write(store, "events", "{\"_id\":\"e2\",\"a\":20}", "{\"_id\":\"e9\",\"a\":9}");
      store.collection("events").delete(List.of("e1"));
      while (rs.next()) {
        seen.add(rs.getString(1) + "=" + rs.getLong(2));
      }
      assertEquals(List.of("e1=1", "e2=2"), seen);
    }
    assertEquals(List.of("e2, 20", "e9, 9"),
        query(conn, "select _id, a from events order by _id"));
  }

  @Test
  void droppedCollectionDisappears() throws SQLException {
    store.drop("events");
    SQLException e = assertThrows(SQLException.class, () -> query(conn, "select * from events"));
    assertTrue(e.getMessage().contains("Object 'events' not found"), e.getMessage());
    write(store, "events", "{\"_id\":\"n1\",\"z\":true}");
    assertEquals(List.of("n1, true"), query(conn, "select _id, z from events"));
  }

  @Test
  void schemaHandsOutOneTableObjectPerSchemaVersion() {
    ConvergeSchema schema = new ConvergeSchema(store);
    ConvergeTable first = schema.table("events");
    write(store, "events", "{\"_id\":\"e1\",\"a\":5}"); // same fields and types: same version
    assertSame(first, schema.table("events"));
    write(store, "events", "{\"_id\":\"e5\",\"c\":true}");
    ConvergeTable second = schema.table("events");
    assertNotSame(first, second);
    assertEquals(List.of("_id", "_event_time", "a"),
        first.columns().stream().map(ConvergeColumn::path).toList());
    assertEquals(List.of("_id", "_event_time", "a", "c"),
        second.columns().stream().map(ConvergeColumn::path).toList());
  }

  @Test
  void fieldsWhoseNamesDifferOnlyInCaseStayQueryable() throws SQLException {
    write(store, "mixed", "{\"_id\":\"m1\",\"Status\":\"A\",\"status\":\"b\",\"_ID\":\"x\"}");
    assertEquals(List.of("m1, A, x, b"), query(conn, "select * from mixed").stream()
        .map(r -> r.replaceFirst(", [^,]+,", ",")).toList()); // drop _event_time
    assertEquals(List.of("A, b, x"),
        query(conn, "select status, \"status~2\", \"_ID~2\" from mixed"));
  }
}
