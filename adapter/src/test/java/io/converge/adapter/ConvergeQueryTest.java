package io.converge.adapter;

import static io.converge.adapter.ConvergeTestSupport.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQL over the sample orders and customers, with exact expected results. */
class ConvergeQueryTest {
  @TempDir
  Path dir;
  Connection conn;

  @BeforeEach
  void setUp() throws SQLException {
    ConvergeTestSupport.writeSample(ConvergeSchemaFactory.store(dir));
    conn = ConvergeJdbc.connect(dir);
  }

  @AfterEach
  void tearDown() throws SQLException {
    conn.close();
    ConvergeSchemaFactory.release(dir);
  }

  @Test
  void projectionReturnsTheRequestedColumnsInRidOrder() throws SQLException {
    assertEquals(List.of("o1, shipped, 2", "o2, pending, 1", "o3, shipped, 5", "o4, cancelled, 3",
        "o5, shipped, 1"), query(conn, "select _id, status, qty from orders"));
  }

  @Test
  void selectStarListsSystemColumnsThenFieldsSortedByPath() throws SQLException {
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("select * from orders where _id = 'o1'")) {
      var md = rs.getMetaData();
      StringBuilder b = new StringBuilder();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        b.append(md.getColumnLabel(i)).append(' ').append(md.getColumnTypeName(i)).append(';');
      }
      assertEquals("_id VARCHAR;_event_time TIMESTAMP;amount DOUBLE;big BIGINT;code VARCHAR;"
          + "customer.country VARCHAR;customer.id VARCHAR;qty BIGINT;status VARCHAR;"
          + "tags VARCHAR ARRAY;ts TIMESTAMP;", b.toString());
      assertEquals(java.sql.ResultSetMetaData.columnNoNulls, md.isNullable(1));
      assertEquals(java.sql.ResultSetMetaData.columnNoNulls, md.isNullable(2));
      assertEquals(java.sql.ResultSetMetaData.columnNullable, md.isNullable(3));
    }
  }

  @Test
  void whereFiltersOnStringsNumbersAndNulls() throws SQLException {
    assertEquals(List.of("o1", "o3", "o5"),
        query(conn, "select _id from orders where status = 'shipped'"));
    assertEquals(List.of("o1", "o5"),
        query(conn, "select _id from orders where amount > 100 and qty < 3"));
    assertEquals(List.of("o2", "o4"),
        query(conn, "select _id from orders where status = 'pending' or amount is null"));
    assertEquals(List.of("o3", "o4"),
        query(conn, "select _id from orders where qty between 3 and 5"));
    assertEquals(List.of("o2"), query(conn, "select _id from orders where status like 'pen%'"));
  }

  @Test
  void groupByComputesCountSumAvgMinMax() throws SQLException {
    assertEquals(List.of(
            "cancelled, 1, 3, null, null, null",
            "pending, 1, 1, 80.0, 80.0, 80.0",
            "shipped, 3, 8, 123.75, 50.25, 200.5"),
        query(conn, "select status, count(*), sum(qty), avg(amount), min(amount), max(amount)"
            + " from orders group by status order by status"));
    assertEquals(List.of("shipped, 3"), query(conn,
        "select status, count(*) from orders group by status having count(*) > 1"));
  }

  @Test
  void aggregatesOverTheWholeCollection() throws SQLException {
    assertEquals(List.of("5, 12, 451.25, 112.8125, 4"),
        query(conn, "select count(*), sum(qty), sum(amount), avg(amount), count(amount)"
            + " from orders"));
  }

  @Test
  void orderByWithLimitAndOffset() throws SQLException {
    assertEquals(List.of("o5", "o1", "o2", "o3", "o4"),
        query(conn, "select _id from orders order by amount desc nulls last"));
    assertEquals(List.of("o1", "o2"),
        query(conn, "select _id from orders order by amount desc nulls last limit 2 offset 1"));
    assertEquals(List.of("o3", "o4"),
        query(conn, "select _id from orders order by qty desc, _id"
            + " offset 0 rows fetch next 2 rows only"));
  }

  @Test
  void joinsBetweenTwoCollections() throws SQLException {
    assertEquals(List.of("o1, Anna", "o2, Bruno", "o3, Anna", "o4, Chen"),
        query(conn, "select o._id, c.name from orders o join customers c"
            + " on o.\"customer.id\" = c._id order by o._id"));
    assertEquals(List.of("o1, Anna", "o2, Bruno", "o3, Anna", "o4, Chen", "o5, null"),
        query(conn, "select o._id, c.name from orders o left join customers c"
            + " on o.\"customer.id\" = c._id order by o._id"));
    assertEquals(List.of("Anna, 2, 170.75", "Bruno, 1, 80.0", "Chen, 1, null", "Eve, 0, null"),
        query(conn, "select c.name, count(o._id), sum(o.amount) from customers c"
            + " left join orders o on o.\"customer.id\" = c._id group by c.name order by c.name"));
  }

  @Test
  void inAndNotInSubqueries() throws SQLException {
    assertEquals(List.of("o1", "o3"), query(conn,
        "select _id from orders where \"customer.id\" in (select _id from customers where vip)"
            + " order by _id"));
    assertEquals(List.of("o2", "o4", "o5"), query(conn,
        "select _id from orders where \"customer.id\" not in"
            + " (select _id from customers where vip) order by _id"));
  }

  @Test
  void existsAndNotExistsSubqueries() throws SQLException {
    assertEquals(List.of("Anna"), query(conn,
        "select name from customers c where exists (select 1 from orders o"
            + " where o.\"customer.id\" = c._id and o.status = 'shipped') order by name"));
    assertEquals(List.of("Eve"), query(conn,
        "select name from customers c where not exists (select 1 from orders o"
            + " where o.\"customer.id\" = c._id)"));
  }

  @Test
  void scalarSubqueries() throws SQLException {
    assertEquals(List.of("o1", "o5"), query(conn,
        "select _id from orders where amount > (select avg(amount) from orders) order by _id"));
    assertEquals(List.of("o1, Anna", "o2, Bruno", "o3, Anna", "o4, Chen", "o5, null"),
        query(conn, "select _id, (select name from customers c where c._id = o.\"customer.id\")"
            + " from orders o order by _id"));
  }

  @Test
  void missingFieldsReadAsNull() throws SQLException {
    assertEquals(List.of("o4, null, null, null, null"), query(conn,
        "select _id, amount, \"customer.country\", tags, ts from orders where _id = 'o4'"));
    assertEquals(List.of("4"), query(conn, "select count(*) from orders where ts is null"));
  }

  @Test
  void mixedTypeFieldReadsAsTextAndIsFilterable() throws SQLException {
    assertEquals(List.of("o1, 42", "o2, A7", "o3, true", "o4, null", "o5, 2.5"),
        query(conn, "select _id, code from orders order by _id"));
    assertEquals(List.of("o1"), query(conn, "select _id from orders where code = '42'"));
    assertEquals(List.of("4"), query(conn, "select count(code) from orders"));
  }

  @Test
  void nestedLeavesAreDottedColumns() throws SQLException {
    assertEquals(List.of("DE"),
        query(conn, "select \"customer.country\" from orders where _id = 'o1'"));
    assertEquals(List.of("null, 1", "DE, 2", "FR, 1", "US, 1"), query(conn,
        "select \"customer.country\", count(*) from orders group by \"customer.country\""
            + " order by \"customer.country\" nulls first"));
  }

  @Test
  void arrayFieldsAreSqlArrays() throws SQLException {
    assertEquals(List.of("o1, [gift, express], 2, gift", "o2, [express], 1, express",
            "o3, [], 0, null", "o4, null, null, null", "o5, [gift], 1, gift"),
        query(conn, "select _id, tags, cardinality(tags), tags[1] from orders order by _id"));
    assertEquals(List.of("express, 2", "gift, 2"), query(conn,
        "select t, count(*) from orders, unnest(tags) as u(t) group by t order by t"));
  }

  @Test
  void timestampsCompareWithTimestampLiterals() throws SQLException {
    assertEquals(List.of("o1, 2026-01-05 08:00:00.000"), query(conn,
        "select _id, ts from orders where ts > timestamp '2026-01-01 00:00:00'"));
    assertEquals(List.of("o4", "o5"), query(conn,
        "select _id from orders where _event_time >= timestamp '2026-01-04 10:00:00'"
            + " order by _id"));
  }

  @Test
  void unquotedLowerCaseNamesResolveAndQuotedNamesInAnyCase() throws SQLException {
    assertEquals(List.of("o2"), query(conn, "select _id from orders where status = 'pending'"));
    assertEquals(List.of("o2"), query(conn, "SELECT _ID FROM ORDERS WHERE STATUS = 'pending'"));
    assertEquals(List.of("o2"), query(conn,
        "select \"_id\" from \"converge\".\"orders\" where \"status\" = 'pending'"));
    assertEquals(List.of("o2"), query(conn,
        "select \"_id\" from \"CONVERGE\".\"ORDERS\" where \"STATUS\" = 'pending'"));
  }

  @Test
  void sumOverLargeBigintsDoesNotOverflow() throws SQLException {
    assertEquals(List.of("8000000000000000000"), query(conn, "select sum(big) from orders"));
    // SUM over INTEGER widens to BIGINT: 2 x 2,000,000,000 overflows INTEGER.
    assertEquals(List.of("4000000000"), query(conn,
        "select sum(cast(2000000000 as integer)) from orders where _id in ('o1', 'o2')"));
  }

  @Test
  void countStarReadsOneCheapColumn() throws SQLException {
    List<String> plan = query(conn, "explain plan for select count(*) from orders");
    String text = String.join("\n", plan);
    assertTrue(text.contains("BindableTableScan(table=[[converge, orders]], projects=[[1]])"),
        text);
    assertEquals(List.of("5"), query(conn, "select count(*) from orders"));
    // An empty result still counts: one row of 0 (Calcite's interpreted aggregate returned none).
    assertEquals(List.of("0"), query(conn, "select count(*) from orders where status = 'none'"));
  }

  @Test
  void scanReadsOnlyProjectedColumns() throws SQLException {
    String text = String.join("\n",
        query(conn, "explain plan for select status from orders where qty > 1"));
    // Column 7 is qty (read to evaluate the filter), 8 is status: nothing else is scanned.
    assertTrue(text.contains("filters=[[>($7, 1)]], projects=[[8]]"), text);
  }

  @Test
  void unknownTableIsCalcitesValidationError() {
    SQLException e = assertThrows(SQLException.class,
        () -> query(conn, "select * from no_such_collection"));
    assertTrue(e.getMessage().contains("Object 'no_such_collection' not found"), e.getMessage());
  }

  @Test
  void unknownColumnIsCalcitesValidationError() {
    SQLException e = assertThrows(SQLException.class,
        () -> query(conn, "select no_such_field from orders"));
    assertTrue(e.getMessage().contains("Column 'no_such_field' not found"), e.getMessage());
  }

  @Test
  void storeIsSharedAcrossConnections() throws SQLException {
    try (Connection second = ConvergeJdbc.connect(dir)) {
      assertEquals(List.of("5"), query(second, "select count(*) from orders"));
    }
    assertEquals(List.of("4"), query(conn, "select count(*) from customers"));
  }
}
