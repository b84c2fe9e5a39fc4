package io.converge.tests;

import static io.converge.tests.Sql.column;
import static io.converge.tests.Sql.row;
import static io.converge.tests.Sql.rows;
import static io.converge.tests.Sql.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Queries through the Avatica remote driver return exactly the expected rows. */
class RemoteQueryTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  static Connection connection;

  @BeforeAll
  static void connect() throws SQLException {
    connection = SERVER.connect();
  }

  private static double amount(int i) {
    return (Double) TestData.order(i).get("amount");
  }

  @Test
  void countsEveryDocumentOfACollection() throws SQLException {
    assertEquals(300L, scalar(connection, "select count(*) from orders"));
    assertEquals(20L, scalar(connection, "select count(*) from customers"));
  }

  @Test
  void projectsTheRequestedFieldsOfADocument() throws SQLException {
    assertEquals(List.of(row("o7", "cancelled", 1L, 7.75)),
        rows(connection, "select \"_id\", status, quantity, amount from orders where \"_id\" = 'o7'"));
  }

  @Test
  void selectStarReturnsIdEventTimeThenFieldsByPath() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("select * from customers where \"_id\" = 'c3'")) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> names = new ArrayList<>();
      for (int c = 1; c <= md.getColumnCount(); c++) {
        names.add(md.getColumnName(c));
      }
      assertEquals(List.of("_id", "_event_time", "country", "credit", "name"), names);
      assertTrue(rs.next());
      assertEquals("c3", rs.getString("_id"));
      assertEquals("JP", rs.getString("country"));
      assertEquals(300L, rs.getLong("credit"));
      assertEquals("Customer 3", rs.getString("name"));
    }
  }

  @Test
  void filtersOnAStringAndANumber() throws SQLException {
    assertEquals(List.of("o293", "o297"), column(connection,
        "select \"_id\" from orders where status = 'paid' and amount > 290 order by \"_id\""));
  }

  @Test
  void filtersWithInAndBetween() throws SQLException {
    long expected = TestData.orders().stream()
        .filter(o -> List.of("new", "shipped").contains(o.get("status")))
        .filter(o -> (Long) o.get("quantity") >= 2 && (Long) o.get("quantity") <= 4)
        .count();
    assertEquals(expected, scalar(connection, "select count(*) from orders"
        + " where status in ('new', 'shipped') and quantity between 2 and 4"));
  }

  @Test
  void groupsByAStatusWithCountAndSum() throws SQLException {
    Map<String, long[]> expected = new TreeMap<>();
    for (Map<String, Object> o : TestData.orders()) {
      long[] agg = expected.computeIfAbsent((String) o.get("status"), k -> new long[2]);
      agg[0]++;
      agg[1] += (Long) o.get("quantity");
    }
    List<List<Object>> rows = new ArrayList<>();
    expected.forEach((status, agg) -> rows.add(row(status, agg[0], agg[1])));
    assertEquals(rows, rows(connection, "select status, count(*), sum(quantity) from orders"
        + " group by status order by status"));
  }

  @Test
  void sumsADoubleFieldExactly() throws SQLException {
    double expected = 0;
    for (int i = 1; i <= 300; i++) {
      expected += amount(i);
    }
    assertEquals(expected, scalar(connection, "select sum(amount) from orders"));
  }

  @Test
  void groupsByANestedField() throws SQLException {
    assertEquals(List.of(row("BR", 60L), row("DE", 60L), row("FR", 60L), row("JP", 60L),
            row("US", 60L)),
        rows(connection, "select \"customer.country\", count(*) from orders"
            + " group by \"customer.country\" order by \"customer.country\""));
  }

  @Test
  void ordersByADescendingFieldWithLimit() throws SQLException {
    assertEquals(List.of(row("o300", 300.0), row("o299", 299.75), row("o298", 298.5)),
        rows(connection, "select \"_id\", amount from orders order by amount desc limit 3"));
  }

  @Test
  void ordersByTwoKeysWithOffsetAndFetch() throws SQLException {
    List<Object> expected = TestData.orders().stream()
        .sorted((a, b) -> {
          int c = Long.compare((Long) a.get("quantity"), (Long) b.get("quantity"));
          return c != 0 ? c : ((String) a.get("_id")).compareTo((String) b.get("_id"));
        })
        .skip(5).limit(4).map(o -> o.get("_id")).collect(Collectors.toList());
    assertEquals(expected, column(connection, "select \"_id\" from orders"
        + " order by quantity, \"_id\" offset 5 rows fetch next 4 rows only"));
  }

  @Test
  void joinsOrdersToCustomers() throws SQLException {
    assertEquals(List.of(row("Customer 0", 15L), row("Customer 10", 15L),
            row("Customer 15", 15L), row("Customer 5", 15L)),
        rows(connection, "select c.name, count(*) from orders o"
            + " join customers c on o.\"customer.id\" = c.\"_id\""
            + " where c.country = 'DE' group by c.name order by c.name"));
  }

  @Test
  void leftJoinKeepsOrdersWithoutAMatch() throws SQLException {
    assertEquals(300L, scalar(connection, "select count(*) from orders o"
        + " left join customers c on o.coupon = c.\"_id\""));
  }

  @Test
  void filtersWithAnInSubquery() throws SQLException {
    assertEquals(75L, scalar(connection, "select count(*) from orders where \"customer.id\" in"
        + " (select \"_id\" from customers where credit >= 1500)"));
  }

  @Test
  void filtersWithAScalarSubquery() throws SQLException {
    assertEquals(List.of("o300"), column(connection,
        "select \"_id\" from orders where amount = (select max(amount) from orders)"));
  }

  @Test
  void filtersWithACorrelatedExistsSubquery() throws SQLException {
    assertEquals(List.of("c0", "c10"), column(connection, "select \"_id\" from customers c"
        + " where exists (select 1 from orders o where o.\"customer.id\" = c.\"_id\""
        + " and o.coupon is not null) order by \"_id\""));
  }

  @Test
  void aggregatesOverAFromSubquery() throws SQLException {
    assertEquals(List.of(row(4L, 75L)), rows(connection, "select count(*), max(n) from"
        + " (select status, count(*) as n from orders group by status) t"));
  }

  @Test
  void missingFieldReadsAsNull() throws SQLException {
    assertEquals(List.of(row("o7", null), row("o10", "SAVE10")), rows(connection,
        "select \"_id\", coupon from orders where \"_id\" in ('o7', 'o10') order by amount"));
  }

  @Test
  void missingFieldCountsAsNullInAggregatesAndFilters() throws SQLException {
    assertEquals(List.of(row(300L, 30L)),
        rows(connection, "select count(*), count(coupon) from orders"));
    assertEquals(270L, scalar(connection, "select count(*) from orders where coupon is null"));
  }

  @Test
  void missingNestedLeafReadsAsNull() throws SQLException {
    assertEquals(List.of(row("o7", null), row("o20", true)), rows(connection,
        "select \"_id\", \"customer.vip\" from orders where \"_id\" in ('o7', 'o20')"
            + " order by amount"));
  }

  @Test
  void nestedLeafIsAColumnNamedByItsDottedPath() throws SQLException {
    List<Object> countries = column(connection, "select \"customer.country\" from orders");
    assertEquals(300, countries.size());
    Map<Object, Long> byCountry = countries.stream()
        .collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting()));
    assertEquals(Map.of("BR", 60L, "DE", 60L, "FR", 60L, "JP", 60L, "US", 60L), byCountry);
  }

  @Test
  void nestedLeafOfOneDocument() throws SQLException {
    assertEquals("JP",
        scalar(connection, "select \"customer.country\" from orders where \"_id\" = 'o3'"));
  }

  @Test
  void arrayFieldReadsAsAnArrayOfItsElements() throws SQLException {
    assertEquals(List.of(row("o3", List.of("gift", "express")), row("o4", List.of("sale")),
            row("o5", List.of("sale", "clearance"))),
        rows(connection, "select \"_id\", tags from orders where \"_id\" in ('o3', 'o4', 'o5')"
            + " order by \"_id\""));
  }

  @Test
  void mixedTypeFieldKeepsEveryValue() throws SQLException {
    assertEquals(300L, scalar(connection, "select count(code) from orders"));
    List<List<Object>> rows = rows(connection,
        "select \"_id\", code from orders where \"_id\" in ('o1', 'o2') order by \"_id\"");
    assertEquals(2, rows.size());
    assertEquals("x1", plain(rows.get(0).get(1)));
    assertEquals("2", plain(rows.get(1).get(1)));
  }

  /** A mixed-type value as text, whether it arrives as a Java value or JSON text. */
  private static String plain(Object v) {
    String s = String.valueOf(v);
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      s = s.substring(1, s.length() - 1);
    }
    return s;
  }

  @Test
  void eventTimeIsATimestamp() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("select \"_event_time\" from orders where \"_id\" = 'o1'")) {
      assertTrue(rs.next());
      Timestamp t = rs.getTimestamp(1, Calendar.getInstance(TimeZone.getTimeZone("UTC")));
      assertEquals(TestData.EPOCH_2026 + 60_000L, t.getTime());
    }
  }

  @Test
  void unquotedLowerCaseIdentifiersNeedNoQuotes() throws SQLException {
    long expected = TestData.orders().stream()
        .filter(o -> (Long) o.get("quantity") > 3 && o.get("status").equals("paid")).count();
    assertEquals(List.of(row("paid", expected)), rows(connection,
        "select status, count(*) as n from orders where quantity > 3 and status = 'paid'"
            + " group by status"));
  }

  @Test
  void upperCaseUnquotedIdentifiersAlsoResolve() throws SQLException {
    assertEquals(75L, scalar(connection, "SELECT COUNT(*) FROM ORDERS WHERE STATUS = 'paid'"));
  }

  @Test
  void schemaQualifiedNamesResolve() throws SQLException {
    assertEquals(300L, scalar(connection, "select count(*) from converge.orders"));
    assertEquals(300L, scalar(connection, "select count(*) from \"converge\".\"orders\""));
  }

  @Test
  void fullyQualifiedQuotedNamesReportedByMetadataResolve() throws SQLException {
    DatabaseMetaData md = connection.getMetaData();
    String catalog;
    String schema;
    String table;
    try (ResultSet rs = md.getTables(null, null, "orders", null)) {
      assertTrue(rs.next(), "getTables lists orders");
      catalog = rs.getString("TABLE_CAT");
      schema = rs.getString("TABLE_SCHEM");
      table = rs.getString("TABLE_NAME");
    }
    StringBuilder name = new StringBuilder();
    if (catalog != null && !catalog.isEmpty()) {
      name.append(Sql.quote(catalog)).append('.');
    }
    if (schema != null && !schema.isEmpty()) {
      name.append(Sql.quote(schema)).append('.');
    }
    name.append(Sql.quote(table));
    String quote = md.getIdentifierQuoteString();
    assertEquals("\"", quote);
    assertEquals(300L, scalar(connection, "select count(*) from " + name));
    assertEquals(300L, scalar(connection, "select count(" + name + ".\"status\") from " + name));
  }

  @Test
  void preparedStatementBindsAParameter() throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("select count(*) from orders where status = ?")) {
      ps.setString(1, "shipped");
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        assertEquals(75L, rs.getLong(1));
      }
      ps.setString(1, "nope");
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        assertEquals(0L, rs.getLong(1));
      }
    }
  }

  @Test
  void protobufIsTheDefaultSerialization() {
    assertTrue(SERVER.jdbcUrl().contains("serialization=protobuf"), SERVER.jdbcUrl());
  }

  @Test
  void jsonSerializationReturnsTheSameRows() throws SQLException {
    String sql = "select status, count(*), sum(quantity) from orders group by status"
        + " order by status";
    List<List<Object>> viaProtobuf = rows(connection, sql);
    ConvergeServer json = Servers.start(SERVER.dataDir(), "json");
    try {
      assertTrue(json.jdbcUrl().contains("serialization=json"), json.jdbcUrl());
      try (Connection c = DriverManager.getConnection(json.jdbcUrl())) {
        assertEquals(viaProtobuf, rows(c, sql));
        assertNull(scalar(c, "select coupon from orders where \"_id\" = 'o7'"));
      }
    } finally {
      json.stop();
    }
    assertInstanceOf(Long.class, scalar(connection, "select count(*) from orders"),
        "the first server still answers after the second stopped");
  }
}
