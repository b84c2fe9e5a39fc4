package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** setMaxRows and the fetch size are honoured; big results stream in frames. */
class ResultStreamingTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  /** orders x customers: 300 * 20 rows. */
  static final String ORDERS_BY_CUSTOMERS = "select o.\"_id\", c.\"_id\" from orders o"
      + " cross join customers c";
  /** orders x orders: 90,000 rows. */
  static final String ORDERS_BY_ORDERS = "select a.\"_id\", b.\"_id\", a.amount + b.amount"
      + " from orders a cross join orders b";

  static Connection connection;

  @BeforeAll
  static void connect() throws SQLException {
    connection = SERVER.connect();
  }

  @Test
  void maxRowsCapsAStatementResult() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.setMaxRows(7);
      try (ResultSet rs = s.executeQuery("select \"_id\" from orders")) {
        assertEquals(7, Sql.count(rs));
      }
      assertEquals(7, s.getMaxRows());
    }
  }

  @Test
  @org.junit.jupiter.api.Disabled("Avatica 1.28's remote client never sends PreparedStatement.setMaxRows "
      + "to the server (ExecuteRequest carries only the fetch size; same as apache/druid#19918); "
      + "Statement.setMaxRows and LIMIT work. Documented in README 'Known limitations'.")
  void maxRowsCapsAPreparedStatementResult() throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("select \"_id\" from orders where quantity > ?")) {
      ps.setMaxRows(12);
      ps.setLong(1, 0);
      try (ResultSet rs = ps.executeQuery()) {
        assertEquals(12, Sql.count(rs));
      }
    }
  }

  @Test
  void maxRowsLargerThanTheResultReturnsEveryRow() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.setMaxRows(1000);
      try (ResultSet rs = s.executeQuery("select \"_id\" from orders")) {
        assertEquals(300, Sql.count(rs));
      }
    }
  }

  @Test
  void maxRowsCapsAResultLargerThanOneFrame() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.setMaxRows(2500);
      s.setFetchSize(100);
      try (ResultSet rs = s.executeQuery(ORDERS_BY_CUSTOMERS)) {
        assertEquals(2500, Sql.count(rs));
      }
    }
  }

  @Test
  void maxRowsZeroMeansNoLimit() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.setMaxRows(5);
      s.setMaxRows(0);
      try (ResultSet rs = s.executeQuery("select \"_id\" from orders")) {
        assertEquals(300, Sql.count(rs));
      }
    }
  }

  @Test
  void smallFetchSizeReturnsEveryRowOfAThousandsRowResult() throws SQLException {
    Set<String> expected = new HashSet<>();
    for (int i = 1; i <= TestData.ORDER_COUNT; i++) {
      for (int k = 0; k < TestData.CUSTOMER_COUNT; k++) {
        expected.add("o" + i + "/c" + k);
      }
    }
    Set<String> seen = new HashSet<>();
    List<String> duplicates = new ArrayList<>();
    try (Statement s = connection.createStatement()) {
      s.setFetchSize(10);
      try (ResultSet rs = s.executeQuery(ORDERS_BY_CUSTOMERS)) {
        while (rs.next()) {
          String pair = rs.getString(1) + "/" + rs.getString(2);
          if (!seen.add(pair)) {
            duplicates.add(pair);
          }
        }
      }
    }
    assertEquals(List.of(), duplicates);
    assertEquals(expected, seen);
  }

  @Test
  void smallFetchSizeKeepsOrderByOrder() throws SQLException {
    List<Object> ids = new ArrayList<>();
    try (Statement s = connection.createStatement()) {
      s.setFetchSize(7);
      try (ResultSet rs = s.executeQuery("select \"_id\" from orders order by amount")) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    List<Object> expected = TestData.orders().stream()
        .sorted((a, b) -> Double.compare((Double) a.get("amount"), (Double) b.get("amount")))
        .map(o -> o.get("_id")).toList();
    assertEquals(expected, ids);
  }

  @Test
  void bigResultStreamsToTheEnd() throws SQLException {
    long rows = 0;
    double sum = 0;
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(ORDERS_BY_ORDERS)) {
      while (rs.next()) {
        rows++;
        sum += rs.getDouble(3);
      }
    }
    double amounts = 0;
    for (int i = 1; i <= TestData.ORDER_COUNT; i++) {
      amounts += (Double) TestData.order(i).get("amount");
    }
    assertEquals(90_000L, rows);
    assertEquals(2 * TestData.ORDER_COUNT * amounts, sum, 1e-6);
  }

  @Test
  void closingABigResultEarlyLeavesTheConnectionUsable() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(ORDERS_BY_ORDERS)) {
      for (int i = 0; i < 150; i++) {
        assertTrue(rs.next());
      }
    }
    assertEquals(300L, Sql.scalar(connection, "select count(*) from orders"));
  }

  @Test
  void emptyResultHasNoRows() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("select \"_id\" from orders where status = 'nope'")) {
      assertFalse(rs.next());
    }
  }
}
