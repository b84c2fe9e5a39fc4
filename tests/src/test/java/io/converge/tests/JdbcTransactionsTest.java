package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * The transaction calls of pools and tools, through Avatica's remote driver and Converge's own:
 * a connection starts in auto-commit; commit and rollback succeed (no-ops); auto-commit off and
 * read-only are accepted, reads keep working, and a write is refused at the write with SQL state
 * 0A000 (auto-commit off) or 25006 (read-only) and writes nothing.
 */
class JdbcTransactionsTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData()
      .and(store -> TestData.upsert(store.getOrCreate("notes"), List.of(
          Map.of("_id", "n1", "text", "first", "likes", 1L))));

  private static Connection connect(String driver) throws SQLException {
    return connect(SERVER, driver);
  }

  /** A connection through Avatica's remote driver ("avatica") or Converge's ("converge"). */
  static Connection connect(ConvergeServerExtension server, String driver) throws SQLException {
    String url = server.jdbcUrl();
    return DriverManager.getConnection("converge".equals(driver)
        ? url.replace("jdbc:avatica:remote:", "jdbc:converge:remote:") : url);
  }

  private static long notes(Connection c) throws SQLException {
    return ((Number) Sql.scalar(c, "select count(*) from notes")).longValue();
  }

  private static int update(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    }
  }

  /** The refusal: the given state, a one-line reason naming the statement kind. */
  private static void refused(String state, String kind, Executable write) {
    SQLException e = assertThrows(SQLException.class, write);
    assertEquals(state, e.getSQLState(), e.getMessage());
    assertTrue(e.getMessage().contains(kind + " refused: "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  /**
   * {@link #refused} for a batch. Avatica's client lets a failed batch escape as an unchecked
   * AvaticaClientRuntimeException (with the server's state); Converge's driver throws the
   * SQLException JDBC promises.
   */
  private static void batchRefused(String driver, String state, String kind, Executable write) {
    if ("converge".equals(driver)) {
      refused(state, kind, write);
      return;
    }
    Exception e = assertThrows(Exception.class, write);
    String actual = e instanceof SQLException se ? se.getSQLState()
        : ((org.apache.calcite.avatica.AvaticaClientRuntimeException) e).getSqlState();
    assertEquals(state, actual, e.getMessage());
    assertTrue(e.getMessage().contains(kind + " refused: "), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"avatica", "converge"})
  void aFreshConnectionIsAutoCommitAndCommitAndRollbackSucceed(String driver) throws SQLException {
    try (Connection c = connect(driver); Connection other = connect(driver)) {
      assertTrue(c.getAutoCommit());
      assertFalse(c.isReadOnly());
      assertEquals(Connection.TRANSACTION_NONE, c.getTransactionIsolation());
      c.commit();
      c.rollback();
      long before = notes(other);
      assertEquals(1, update(c, "insert into notes (\"_id\", text) values ('ac-" + driver
          + "', 'auto')"));
      c.rollback(); // auto-commit: the insert is already committed
      assertEquals(before + 1, notes(other));
      update(c, "delete from notes where \"_id\" = 'ac-" + driver + "'");
      assertEquals(before, notes(other));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"avatica", "converge"})
  void withAutoCommitOffReadsWorkAndWritesAreRefused(String driver) throws SQLException {
    try (Connection c = connect(driver); Connection other = connect(driver)) {
      long before = notes(other);
      c.setAutoCommit(false);
      assertFalse(c.getAutoCommit());
      assertTrue(other.getAutoCommit(), "settings are per connection");
      assertEquals(300L, Sql.scalar(c, "select count(*) from orders"));
      c.commit();
      assertEquals(List.of(Sql.row("n1", "first")),
          Sql.rows(c, "select \"_id\", text from notes where \"_id\" = 'n1'"));
      c.rollback();

      refused("0A000", "INSERT",
          () -> update(c, "insert into notes (\"_id\", text) values ('tx1', 'x')"));
      refused("0A000", "UPDATE", () -> update(c, "update notes set likes = 9"));
      refused("0A000", "DELETE", () -> update(c, "delete from notes"));
      refused("0A000", "CREATE TABLE", () -> update(c, "create table tx_t (a varchar)"));
      refused("0A000", "DROP TABLE", () -> update(c, "drop table notes"));
      // a prepared write is refused when it executes, not when it is prepared
      try (PreparedStatement p = c.prepareStatement("delete from notes where \"_id\" = ?")) {
        p.setString(1, "n1");
        refused("0A000", "DELETE", p::executeUpdate);
        p.addBatch();
        batchRefused(driver, "0A000", "DELETE", p::executeBatch);
      }
      try (Statement s = c.createStatement()) {
        s.addBatch("insert into notes (\"_id\", text) values ('tx2', 'x')");
        batchRefused(driver, "0A000", "INSERT", s::executeBatch);
      }
      c.rollback();
      assertEquals(before, notes(other), "nothing written");
      assertEquals(300L, Sql.scalar(c, "select count(*) from orders"), "still serving reads");

      c.setAutoCommit(true);
      assertTrue(c.getAutoCommit());
      assertEquals(1, update(c, "insert into notes (\"_id\", text) values ('tx3', 'x')"));
      assertEquals(before + 1, notes(other));
      assertEquals(1, update(c, "delete from notes where \"_id\" = 'tx3'"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"avatica", "converge"})
  void aReadOnlyConnectionReadsAndRefusesWrites(String driver) throws SQLException {
    try (Connection c = connect(driver)) {
      c.setReadOnly(true);
      assertTrue(c.isReadOnly());
      assertEquals(20L, Sql.scalar(c, "select count(*) from customers"));
      refused("25006", "INSERT",
          () -> update(c, "insert into notes (\"_id\", text) values ('ro', 'x')"));
      c.setReadOnly(false);
      assertFalse(c.isReadOnly());
      assertEquals(1, update(c, "insert into notes (\"_id\", text) values ('ro', 'x')"));
      assertEquals(1, update(c, "delete from notes where \"_id\" = 'ro'"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"avatica", "converge"})
  void theSettingsPoolsTouchAreAcceptedAndAnswered(String driver) throws SQLException {
    try (Connection c = connect(driver)) {
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      assertEquals(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation());
      c.getHoldability();
      assertEquals("converge", c.getSchema());
      c.setSchema("converge");
      assertEquals("converge", c.getSchema());
      c.setCatalog(c.getCatalog());
      assertTrue(c.isValid(5));
      c.clearWarnings();
      assertEquals(List.of(Sql.row(20L)), Sql.rows(c, "select count(*) from customers"));
    }
  }
}
