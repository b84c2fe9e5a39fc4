package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Converge as a source of another Calcite: a model file with a {@code "type": "jdbc"} schema
 * (Calcite's JdbcSchema, which reaches the server through Avatica's remote driver and pools its
 * connections with DBCP2). Filters, GROUP BY, joins and ORDER BY / LIMIT through Calcite's JDBC
 * adapter answer what a direct connection answers.
 */
class CalciteJdbcSchemaTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  @TempDir
  static Path dir;

  static Connection calcite;
  static Connection direct;

  @BeforeAll
  static void connect() throws Exception {
    Path model = dir.resolve("converge-jdbc-model.json");
    Files.writeString(model, """
        {
          "version": "1.0",
          "defaultSchema": "conv",
          "schemas": [
            {
              "name": "conv",
              "type": "jdbc",
              "jdbcDriver": "%s",
              "jdbcUrl": "%s",
              "jdbcSchema": "converge"
            }
          ]
        }
        """.formatted(ConvergeServerExtension.REMOTE_DRIVER, SERVER.jdbcUrl()));
    Properties info = new Properties();
    info.setProperty("model", model.toString());
    // names as written, double-quoted identifiers: the same SQL text runs on both sides
    info.setProperty("lex", "MYSQL_ANSI");
    calcite = DriverManager.getConnection("jdbc:calcite:", info);
    direct = SERVER.connect();
  }

  @AfterAll
  static void close() throws SQLException {
    if (calcite != null) {
      calcite.close();
    }
  }

  /** The same query through Calcite's JDBC adapter and directly; returns the rows. */
  private static List<List<Object>> same(String sql) throws SQLException {
    List<List<Object>> expected = Sql.rows(direct, sql);
    List<List<Object>> actual = Sql.rows(calcite, sql);
    assertEquals(expected, actual, sql);
    assertFalse(actual.isEmpty(), "a test query must return rows: " + sql);
    return actual;
  }

  @Test
  void queriesGoThroughCalcitesJdbcAdapter() throws SQLException {
    String plan = String.valueOf(Sql.rows(calcite,
        "explain plan for select status from orders where quantity > 3"));
    assertTrue(plan.contains("JdbcToEnumerableConverter"), plan);
  }

  @Test
  void filters() throws SQLException {
    List<List<Object>> rows = same("select _id, amount from orders"
        + " where status = 'paid' and amount > 250 order by _id");
    assertEquals(12, rows.size(), rows.toString()); // i = 253, 257, ..., 297: i % 4 == 1
    same("select _id from customers where country in ('DE', 'JP') and credit >= 500"
        + " order by _id");
  }

  @Test
  void groupBy() throws SQLException {
    List<List<Object>> rows = same("select status, count(*) as n, sum(quantity) as q,"
        + " min(amount) as lo, max(amount) as hi from orders group by status order by status");
    assertEquals(4, rows.size());
    for (List<Object> r : rows) {
      assertEquals(75L, ((Number) r.get(1)).longValue(), r.toString());
    }
    same("select country, count(*) from customers group by country having count(*) > 3"
        + " order by country");
  }

  @Test
  void joins() throws SQLException {
    same("select c.name, count(*) as n, sum(o.amount) as total from orders o"
        + " join customers c on o.\"customer.id\" = c._id"
        + " where c.country = 'DE' group by c.name order by c.name");
    same("select o._id, c.credit from orders o join customers c on o.\"customer.id\" = c._id"
        + " where o.quantity = 7 and c.credit > 1000 order by o._id");
  }

  @Test
  void orderByAndLimit() throws SQLException {
    List<List<Object>> rows =
        same("select _id, amount from orders order by amount desc, _id limit 5");
    assertEquals(List.of("o300", "o299", "o298", "o297", "o296"),
        rows.stream().map(r -> r.get(0)).toList());
    same("select name from customers order by credit desc limit 3 offset 2");
  }
}
