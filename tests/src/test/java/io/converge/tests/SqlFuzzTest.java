package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzz of SQL text through the Avatica remote driver: valid queries over the test data,
 * then the same with tokens dropped, repeated, swapped or replaced, random punctuation, unclosed
 * quotes, NUL and other control characters, huge literals, deep parentheses and random bytes.
 * Every statement either runs or fails with an {@link SQLException} carrying a message, on the
 * same connection, which stays usable; the server keeps answering and no stored document changes
 * (counts, then {@code converge check} after the server stops).
 *
 * <p>The generator writes no DML or DDL. CI: {@value #CI_STATEMENTS} statements, seed
 * {@value #DEFAULT_SEED}; more with {@code -Dconverge.fuzz.tries=N} or
 * {@code -Dconverge.soak=true} (10x), another seed with {@code -Dconverge.fuzz.seed=S}.
 */
@Tag("slow")
class SqlFuzzTest {
  static final long DEFAULT_SEED = 20261125L;
  static final int CI_STATEMENTS = 100;
  static final long SEED = Long.getLong("converge.fuzz.seed", DEFAULT_SEED);
  static final int STATEMENTS = Integer.getInteger("converge.fuzz.tries",
      Boolean.getBoolean("converge.soak") ? CI_STATEMENTS * 10 : CI_STATEMENTS);

  static final List<String> QUERIES = List.of(
      "select count(*) from orders",
      "select status, count(*), sum(amount) from orders group by status order by status",
      "select \"_id\", amount from orders where \"customer.id\" = 'c7' and quantity > 2",
      "select o.\"_id\", c.name from orders o join customers c on o.\"customer.id\" = c.\"_id\""
          + " where c.credit >= 500 limit 5",
      "select max(amount), min(quantity) from orders where status in ('new', 'paid')",
      "select \"_id\" from orders where array_contains(tags, 'sale') order by amount desc limit 3",
      "select name from customers where country like 'D%' or credit between 100 and 300",
      "select count(distinct \"customer.country\") from orders where coupon is not null",
      "select cast(amount as integer) + quantity * 2 as x from orders order by x limit 7",
      "select * from customers where \"_id\" = 'c3'",
      "values (1, 'a'), (2, 'b')",
      "select code from orders where \"_id\" in ('o1', 'o2', 'o3')");
  static final String[] JUNK = {"(", ")", ",", "'", "\"", ";", "*", "--", "/*", "select", "from",
      "where", "group by", "order", "join", "on", "union", "null", "not", "and", "or", "=", "<>",
      "+", "||", "cast(", "as", "limit", "-1", "99999999999999999999999999", "1e999", "'unclosed",
      "\"unclosed", "\u0000", "\u0007", "é", "日本", "\uD83D\uDE00", "?", "$1", ":x", "`", "[a]",
      "nope", "orders", "customers", "\"_id\"", "tags[1]", "interval", "date '2026-13-45'"};

  @Test
  void randomAndGarbledStatementsFailCleanlyAndChangeNothing(@TempDir Path dir) throws Exception {
    System.out.println("SqlFuzzTest: seed " + SEED + ", " + STATEMENTS + " statements"
        + " (-Dconverge.fuzz.seed=" + SEED + " -Dconverge.fuzz.tries=N)");
    Path data = dir.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
    }
    Random r = new Random(SEED);
    int ran = 0;
    int failed = 0;
    ConvergeServer server = Servers.start(data);
    try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
      for (int i = 0; i < STATEMENTS; i++) {
        String sql = statement(r);
        String label = "statement " + i + " (seed " + SEED + "): " + printable(sql);
        try (Statement s = c.createStatement()) {
          s.setMaxRows(50);
          s.setQueryTimeout(30);
          try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
              rs.getObject(1);
            }
          }
          ran++;
        } catch (SQLException e) {
          String m = BadInputTest.messages(e);
          assertTrue(m != null && !m.isBlank() && !m.startsWith("null"), label + ": " + m);
          failed++;
        } catch (RuntimeException | Error e) {
          throw new AssertionError(label + " failed with " + e, e);
        }
      }
      // The same connection and a fresh one still answer, and nothing was written.
      assertEquals((long) TestData.ORDER_COUNT, Sql.scalar(c, "select count(*) from orders"));
      try (Connection fresh = DriverManager.getConnection(server.jdbcUrl())) {
        assertEquals((long) TestData.CUSTOMER_COUNT,
            Sql.scalar(fresh, "select count(*) from customers"));
        assertEquals(List.of("customers", "orders"), server.store().collectionNames());
      }
    } finally {
      server.stop();
    }
    Cli.Result check = Cli.run("check", "--data-dir", data.toString());
    assertEquals(0, check.exit(), check.all());
    try (ConvergeStore store = ConvergeStore.open(data)) {
      assertEquals(List.of("customers", "orders"), store.collectionNames());
      assertEquals(TestData.ORDER_COUNT, store.collection("orders").documentCount());
    }
    System.out.println("SqlFuzzTest: " + ran + " statements ran, " + failed
        + " failed with an SQLException; server up, nothing changed, check consistent");
    assertTrue(ran > 0 && failed > 0, "the generator lost variety");
  }

  static String statement(Random r) {
    String base = QUERIES.get(r.nextInt(QUERIES.size()));
    int kind = r.nextInt(10);
    if (kind < 2) {
      return base;
    }
    if (kind == 2) { // deep parentheses
      int depth = 1 + r.nextInt(r.nextBoolean() ? 50 : 3000);
      return "select " + "(".repeat(depth) + "1" + ")".repeat(r.nextInt(depth + 1))
          + " from customers";
    }
    if (kind == 3) { // random printable and not so printable characters
      StringBuilder sb = new StringBuilder();
      for (int i = r.nextInt(200); i > 0; i--) {
        sb.append((char) (r.nextInt(10) == 0 ? r.nextInt(32) : 32 + r.nextInt(0x250)));
      }
      return sb.toString();
    }
    if (kind == 4) { // a huge literal
      return "select '" + "x".repeat(r.nextInt(100_000)) + (r.nextBoolean() ? "'" : "")
          + " from customers";
    }
    List<String> tokens = new ArrayList<>(Arrays.asList(base.split(" ")));
    for (int m = 1 + r.nextInt(3); m > 0; m--) {
      int at = r.nextInt(tokens.size());
      switch (r.nextInt(5)) {
        case 0 -> tokens.remove(at);
        case 1 -> tokens.add(at, tokens.get(at));
        case 2 -> tokens.add(at, JUNK[r.nextInt(JUNK.length)]);
        case 3 -> tokens.set(at, JUNK[r.nextInt(JUNK.length)]);
        default -> {
          int other = r.nextInt(tokens.size());
          String t = tokens.get(at);
          tokens.set(at, tokens.get(other));
          tokens.set(other, t);
        }
      }
      if (tokens.isEmpty()) {
        tokens.add(JUNK[r.nextInt(JUNK.length)]);
      }
    }
    String sql = String.join(" ", tokens);
    return r.nextInt(8) == 0 ? sql.substring(0, r.nextInt(sql.length() + 1)) : sql;
  }

  static String printable(String sql) {
    String s = sql.replaceAll("\\p{Cntrl}", "?");
    return s.length() <= 200 ? s : s.substring(0, 200) + "... (" + sql.length() + " chars)";
  }

  static {
    try {
      Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
