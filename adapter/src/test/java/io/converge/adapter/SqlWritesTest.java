package io.converge.adapter;

import static io.converge.adapter.ConvergeTestSupport.query;
import static io.converge.adapter.ConvergeTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** INSERT, UPDATE and DELETE through SQL, with the upsert semantics of the other writers. */
class SqlWritesTest {
  @TempDir
  Path dir;
  Connection c;

  @BeforeEach
  void open() throws SQLException {
    write(ConvergeSchemaFactory.store(dir), "orders",
        "{\"_id\":\"o1\",\"status\":\"new\",\"amount\":10.5,\"qty\":2,"
            + "\"customer\":{\"id\":\"c1\",\"tier\":\"gold\"},\"tags\":[\"a\"]}",
        "{\"_id\":\"o2\",\"status\":\"shipped\",\"amount\":3.0,\"qty\":1,\"customer\":{\"id\":\"c2\"}}",
        "{\"_id\":\"o3\",\"status\":\"new\",\"amount\":7.25,\"qty\":5,\"note\":\"keep me\"}");
    c = ConvergeJdbc.connect(dir);
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
    ConvergeSchemaFactory.release(dir);
  }

  private int update(String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    }
  }

  @Test
  void insertValuesAddsDocumentsAndUpsertsByIdFromThen() throws SQLException {
    assertEquals(2, update("insert into orders (_id, status, amount, \"customer.id\") values"
        + " ('o4', 'new', 1.5, 'c9'), ('o5', 'paid', 2.5, null)"));
    assertEquals(List.of("o4, new, 1.5, c9", "o5, paid, 2.5, null"), query(c,
        "select _id, status, amount, \"customer.id\" from orders where _id in ('o4', 'o5') order by _id"));
    // Same _id again: replaced, not duplicated.
    assertEquals(1, update("insert into orders (_id, status) values ('o4', 'cancelled')"));
    assertEquals(List.of("o4, cancelled, null"),
        query(c, "select _id, status, amount from orders where _id = 'o4'"));
    assertEquals(List.of("5"), query(c, "select count(*) from orders"));
  }

  @Test
  void insertWithoutIdGeneratesOne() throws SQLException {
    assertEquals(1, update("insert into orders (status, qty) values ('gen', 9)"));
    List<String> rows = query(c, "select char_length(_id) > 0, qty from orders where status = 'gen'");
    assertEquals(List.of("true, 9"), rows);
  }

  @Test
  void insertSelectCopiesRows() throws SQLException {
    assertEquals(2, update("insert into orders (_id, status, amount) select _id || '-copy', 'copied',"
        + " amount * 2 from orders where status = 'new'"));
    assertEquals(List.of("o1-copy, copied, 21.0", "o3-copy, copied, 14.5"), query(c,
        "select _id, status, amount from orders where status = 'copied' order by _id"));
  }

  @Test
  void updateSetsFieldsAndKeepsTheRestOfTheDocument() throws SQLException {
    assertEquals(2, update("update orders set status = 'done', qty = qty + 1 where status = 'new'"));
    assertEquals(List.of("o1, done, 3, c1, gold, [a]", "o2, shipped, 1, c2, null, null",
        "o3, done, 6, null, null, null"), query(c,
        "select _id, status, qty, \"customer.id\", \"customer.tier\", tags from orders order by _id"));
    // Fields the UPDATE does not name, even ones not in this statement's columns, survive.
    assertEquals(List.of("keep me"), query(c, "select note from orders where _id = 'o3'"));
    // Nested path; NULL removes a field.
    assertEquals(1, update("update orders set \"customer.tier\" = 'silver', note = null where _id = 'o3'"));
    assertEquals(List.of("o3, silver, done"),
        query(c, "select _id, \"customer.tier\", status from orders where _id = 'o3'"));
    // o3 held the only note: the field is gone from the collection, and so is the column.
    SQLException gone = assertThrows(SQLException.class, () -> query(c, "select note from orders"));
    assertTrue(gone.getMessage().contains("'note' not found"), gone.getMessage());
  }

  @Test
  void updateCannotChangeTheId() {
    SQLException e = assertThrows(SQLException.class,
        () -> update("update orders set _id = 'x' where _id = 'o1'"));
    assertTrue(String.valueOf(e.getMessage()).contains("_id")
        || String.valueOf(e.getCause()).contains("_id"), e.toString());
  }

  @Test
  void deleteRemovesMatchingDocuments() throws SQLException {
    assertEquals(2, update("delete from orders where status = 'new'"));
    assertEquals(List.of("o2"), query(c, "select _id from orders"));
    assertEquals(0, update("delete from orders where status = 'nothing'"));
    assertEquals(1, update("delete from orders"));
    assertEquals(List.of("0"), query(c, "select count(*) from orders"));
  }

  @Test
  void preparedInsertBindsParameters() throws SQLException {
    try (PreparedStatement p = c.prepareStatement(
        "insert into orders (_id, status, qty) values (?, ?, ?)")) {
      for (int i = 0; i < 3; i++) {
        p.setString(1, "p" + i);
        p.setString(2, "prepared");
        p.setLong(3, i);
        assertEquals(1, p.executeUpdate());
      }
    }
    assertEquals(List.of("3, 3"), query(c,
        "select count(*), sum(qty) from orders where status = 'prepared'"));
  }

  @Test
  void writesAreVisibleToTheStorageLayerAsDocuments() throws SQLException {
    update("insert into orders (_id, \"customer.id\", tags) values ('o9', 'c5', array['x', 'y'])");
    try (io.converge.storage.CollectionSnapshot s =
        ConvergeSchemaFactory.store(dir).collection("orders").snapshot()) {
      Map<String, Object> doc = s.document("o9");
      assertEquals(Map.of("id", "c5"), doc.get("customer"));
      assertEquals(List.of("x", "y"), doc.get("tags"));
    } finally {
      ConvergeSchemaFactory.release(dir);
    }
  }
}
