package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DBeaver's generic-JDBC connect sequence, in its order: open, read the connection's state,
 * read the driver and database properties, list catalogs / schemas / tables, open a table
 * (columns, keys, indexes), read its data, switch to manual commit and back, commit and roll
 * back, keep-alive. Through Avatica's remote driver and Converge's own.
 */
class DbeaverConnectTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  private static List<String> column(ResultSet rs, String label) throws SQLException {
    try (rs) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(label));
      }
      return out;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"avatica", "converge"})
  void theConnectSequenceSucceedsAndAnswersConverge(String driver) throws SQLException {
    try (Connection c = JdbcTransactionsTest.connect(SERVER, driver)) {
      // context bootstrap
      boolean autoCommit = c.getAutoCommit();
      assertTrue(autoCommit);
      c.setAutoCommit(autoCommit);
      assertEquals(Connection.TRANSACTION_NONE, c.getTransactionIsolation());
      assertFalse(c.isReadOnly());
      assertEquals("converge", c.getSchema());
      c.getCatalog();

      // data source info
      DatabaseMetaData md = c.getMetaData();
      assertEquals("converge".equals(driver) ? "Converge" : "Avatica",
          md.getDatabaseProductName());
      assertNotNull(md.getDatabaseProductVersion());
      assertNotNull(md.getDriverName());
      assertNotNull(md.getDriverVersion());
      assertFalse(md.supportsTransactions());
      assertEquals(Connection.TRANSACTION_NONE, md.getDefaultTransactionIsolation());
      md.supportsTransactionIsolationLevel(Connection.TRANSACTION_READ_COMMITTED);
      assertEquals("\"", md.getIdentifierQuoteString());
      assertNotNull(md.getSQLKeywords());
      assertNotNull(md.getSearchStringEscape());
      md.getCatalogTerm();
      md.getSchemaTerm();
      md.supportsBatchUpdates();
      md.supportsSchemasInTableDefinitions();
      md.isReadOnly();

      // navigator
      assertEquals(1, column(md.getCatalogs(), "TABLE_CAT").size());
      assertTrue(column(md.getSchemas(), "TABLE_SCHEM").contains("converge"));
      assertTrue(column(md.getTableTypes(), "TABLE_TYPE").contains("TABLE"));
      assertEquals(List.of("customers", "orders"),
          column(md.getTables(null, "converge", "%", null), "TABLE_NAME").stream()
              .sorted().toList());
      assertEquals(List.of("_id", "_event_time", "country", "credit", "name"),
          column(md.getColumns(null, "converge", "customers", "%"), "COLUMN_NAME"));
      List<String> keys = column(md.getPrimaryKeys(null, "converge", "customers"),
          "COLUMN_NAME");
      // Avatica's protocol has no primary-key request; Converge's driver asks the server
      assertEquals("converge".equals(driver) ? List.of("_id") : List.of(), keys);
      column(md.getIndexInfo(null, "converge", "customers", false, true), "INDEX_NAME");
      assertEquals(List.of(),
          column(md.getImportedKeys(null, "converge", "customers"), "PKCOLUMN_NAME"));
      assertTrue(column(md.getTypeInfo(), "TYPE_NAME").contains("VARCHAR"));

      // data editor, auto-commit
      try (Statement s = c.createStatement()) {
        s.setMaxRows(200);
        try (ResultSet rs = s.executeQuery("select * from \"converge\".\"orders\"")) {
          int n = 0;
          while (rs.next()) {
            n++;
          }
          assertEquals(200, n);
        }
      }

      // manual-commit mode and back
      c.setAutoCommit(false);
      assertFalse(c.getAutoCommit());
      assertEquals(List.of(Sql.row(20L)), Sql.rows(c, "select count(*) from customers"));
      c.commit();
      c.rollback();
      c.setAutoCommit(true);
      assertTrue(c.getAutoCommit());
      c.commit();
      c.rollback();

      // active schema switch, keep-alive
      c.setSchema("converge");
      assertTrue(c.isValid(5));
      assertEquals(List.of(Sql.row(300L)), Sql.rows(c, "select count(*) from orders"));
    }
  }

  @Test
  void convergesDriverNamesTheKeyOfEveryCollection() throws SQLException {
    try (Connection c = JdbcTransactionsTest.connect(SERVER, "converge");
        ResultSet rs = c.getMetaData().getPrimaryKeys(null, "converge", "orders")) {
      assertEquals(List.of(Sql.row(null, "converge", "orders", "_id", 1L, "orders_pkey")),
          Sql.rows(rs));
    }
    try (Connection c = JdbcTransactionsTest.connect(SERVER, "converge")) {
      DatabaseMetaData md = c.getMetaData();
      assertEquals(List.of("_id"), column(md.getPrimaryKeys(null, null, "customers"),
          "COLUMN_NAME"), "any schema");
      assertEquals(List.of(), column(md.getPrimaryKeys(null, "nope", "customers"),
          "COLUMN_NAME"), "another schema");
      assertEquals(List.of(), column(md.getPrimaryKeys(null, "converge", "nope"),
          "COLUMN_NAME"), "no such table");
    }
  }
}
