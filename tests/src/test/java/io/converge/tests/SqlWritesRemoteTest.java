package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** INSERT, UPDATE and DELETE through the Avatica remote driver, against a real server. */
class SqlWritesRemoteTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData()
      .and(store -> TestData.upsert(store.getOrCreate("notes"), List.of(
          Map.of("_id", "n1", "text", "first", "likes", 1L),
          Map.of("_id", "n2", "text", "second", "likes", 5L))));

  private static int update(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    }
  }

  @Test
  void insertUpdateDeleteRoundTrip() throws SQLException {
    try (Connection c = SERVER.connect()) {
      assertEquals(2, update(c, "insert into notes (\"_id\", text, likes) values"
          + " ('n3', 'third', 0), ('n1', 'first, edited', 2)"));
      assertEquals(List.of(Sql.row("n1", "first, edited", 2L), Sql.row("n2", "second", 5L),
          Sql.row("n3", "third", 0L)),
          Sql.rows(c, "select \"_id\", text, likes from notes order by \"_id\""));
      assertEquals(2, update(c, "update notes set likes = likes + 10 where likes < 3"));
      assertEquals(List.of(Sql.row("n1", 12L), Sql.row("n3", 10L)),
          Sql.rows(c, "select \"_id\", likes from notes where likes >= 10 order by \"_id\""));
      assertEquals(1, update(c, "delete from notes where \"_id\" = 'n2'"));
      assertEquals(List.of(Sql.row(2L)), Sql.rows(c, "select count(*) from notes"));
    }
  }

  @Test
  void preparedInsertAndInsertSelect() throws SQLException {
    try (Connection c = SERVER.connect()) {
      try (PreparedStatement p = c.prepareStatement(
          "insert into notes (\"_id\", text, likes) values (?, ?, ?)")) {
        for (int i = 0; i < 5; i++) {
          p.setString(1, "p" + i);
          p.setString(2, "prepared " + i);
          p.setLong(3, 100 + i);
          assertEquals(1, p.executeUpdate());
        }
      }
      assertEquals(5, update(c, "insert into notes (\"_id\", text, likes)"
          + " select \"_id\" || '-copy', text, likes * 2 from notes where likes >= 100"));
      assertEquals(List.of(Sql.row(10L, 2 * (510L + 1020L) / 2)), Sql.rows(c,
          "select count(*), sum(likes) from notes where likes >= 100"));
      update(c, "delete from notes where likes >= 100");
    }
  }

  @Test
  void aWriteThatCannotBeDoneIsAClearErrorAndWritesNothing() throws SQLException {
    try (Connection c = SERVER.connect()) {
      update(c, "insert into notes (\"_id\", text) values ('k1', 'kept')");
      SQLException e = assertThrows(SQLException.class,
          () -> update(c, "update notes set \"_id\" = 'x' where \"_id\" = 'k1'"));
      assertTrue(e.getMessage().contains("_id"), e.getMessage());
      assertEquals(List.of(Sql.row("k1", "kept")), Sql.rows(c,
          "select \"_id\", text from notes where \"_id\" in ('k1', 'x')"));
    }
  }
}
