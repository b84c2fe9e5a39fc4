package io.converge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.adapter.ConvergeJdbc;
import io.converge.adapter.ConvergeSchemaFactory;
import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner picks each access path on its own, from costs: the index filter for a 0.1%
 * equality, the column scan for a 50% one, the row lookup for {@code _id}, the column aggregate
 * for aggregates; EXPLAIN names them; {@code pushdown=false} (connection property or model
 * operand) plans none of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConvergePlanTest {
  @TempDir static Path dir;
  private Connection on;
  private Connection off;

  @BeforeAll
  void load() throws SQLException {
    ConvergeStore store = ConvergeSchemaFactory.store(dir);
    TestCollection.write(store);
    on = RulesTestSupport.connect(dir, true);
    off = RulesTestSupport.connect(dir, false);
  }

  @AfterAll
  void close() throws SQLException {
    on.close();
    off.close();
    ConvergeSchemaFactory.release(dir);
  }

  private String plan(String sql) throws SQLException {
    return RulesTestSupport.explain(on, sql);
  }

  private void assertSameRows(String sql) throws SQLException {
    List<String> a = RulesTestSupport.query(on, sql);
    List<String> b = RulesTestSupport.query(off, sql);
    Collections.sort(a);
    Collections.sort(b);
    assertEquals(b, a, sql);
  }

  @Test
  void aSelectiveEqualityUsesTheIndexFilter() throws SQLException {
    String sql = "select _id, n from t where cat = 'needle'"; // 0.1% of the rows
    String plan = plan(sql);
    assertTrue(plan.contains("ConvergeIndexFilter("), plan);
    assertTrue(plan.contains("condition=[cat = 'needle']"), plan);
    assertTrue(plan.contains("columns=[[_id, n]]"), plan);
    assertSameRows(sql);
  }

  @Test
  void aBroadEqualityUsesTheColumnScan() throws SQLException {
    String sql = "select _id, n from t where status = 'a'"; // 50% of the rows
    String plan = plan(sql);
    assertFalse(plan.contains("ConvergeIndexFilter"), plan);
    assertTrue(plan.contains("TableScan"), plan);
    assertSameRows(sql);
  }

  @Test
  void idEqualityAndInUseTheRowLookup() throws SQLException {
    String plan = plan("select n, cat from t where _id = 'd5'");
    assertTrue(plan.contains("ConvergeRowLookup("), plan);
    assertTrue(plan.contains("_id IN ('d5')"), plan);
    plan = plan("select n from t where _id in ('d5', 'd6', 'nope') and cat = 'c1'");
    assertTrue(plan.contains("ConvergeRowLookup("), plan);
    assertTrue(plan.contains("_id IN ('d5', 'd6', 'nope') AND cat = 'c1'"), plan);
    assertSameRows("select _id, n, cat from t where _id in ('d5', 'd6', 'nope')");
  }

  @Test
  void aPreparedIdEqualityIsARowLookupBoundAtEachExecution() throws SQLException {
    String sql = "select _id, cat from t where _id = ?";
    try (java.sql.PreparedStatement explain = on.prepareStatement("explain plan for " + sql)) {
      explain.setString(1, "x");
      try (java.sql.ResultSet rs = explain.executeQuery()) {
        assertTrue(rs.next());
        String plan = rs.getString(1);
        assertTrue(plan.contains("ConvergeRowLookup") && plan.contains("?0"), plan);
      }
    }
    java.util.List<String> ids = new java.util.ArrayList<>();
    try (java.sql.Statement s = off.createStatement();
        java.sql.ResultSet rs = s.executeQuery("select _id from t order by _id limit 3")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    ids.add("no-such-id");
    try (java.sql.PreparedStatement onPs = on.prepareStatement(sql);
        java.sql.PreparedStatement offPs = off.prepareStatement(sql)) {
      for (String id : ids) {
        onPs.setString(1, id);
        offPs.setString(1, id);
        assertEquals(rows(offPs), rows(onPs), "rows for _id " + id);
        assertEquals(id.equals("no-such-id") ? 0 : 1, rows(onPs).size());
      }
    }
  }

  private static java.util.List<java.util.List<Object>> rows(java.sql.PreparedStatement ps)
      throws SQLException {
    java.util.List<java.util.List<Object>> out = new java.util.ArrayList<>();
    try (java.sql.ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(java.util.List.of(rs.getString(1), String.valueOf(rs.getObject(2))));
      }
    }
    return out;
  }

  @Test
  void aggregatesUseTheColumnAggregate() throws SQLException {
    String sql = "select status, count(*), sum(n), avg(n), min(d), max(cat), count(distinct cat)"
        + " from t group by status";
    String plan = plan(sql);
    assertTrue(plan.contains("ConvergeAggregate("), plan);
    assertTrue(plan.contains("group=[[status]]"), plan);
    assertSameRows(sql);
    sql = "select count(*), sum(x) from t where cat = 'needle'";
    plan = plan(sql);
    assertTrue(plan.contains("ConvergeAggregate("), plan);
    assertTrue(plan.contains("condition=[cat = 'needle']"), plan);
    assertSameRows(sql);
    assertTrue(plan("select count(*) from t").contains("ConvergeAggregate("));
  }

  @Test
  void untranslatableConjunctsStayAsAResidualFilter() throws SQLException {
    String sql = "select _id, status from t where cat = 'needle' and upper(status) = 'A'";
    String plan = plan(sql);
    assertTrue(plan.contains("ConvergeIndexFilter("), plan);
    assertTrue(plan.contains("condition=[cat = 'needle']"), plan);
    assertTrue(plan.contains("UPPER"), plan);
    assertSameRows(sql);
  }

  @Test
  void mixedTypeColumnsAreNotPushed() throws SQLException {
    String sql = "select _id from t where mixed = '42' and _id in ('d1', 'd2', 'd3', 'd4')";
    String plan = plan(sql);
    assertTrue(plan.contains("ConvergeRowLookup("), plan);
    assertFalse(plan.contains("mixed = '42'"), plan); // in the Calcite filter, as $n = '42'
    assertSameRows(sql);
    assertFalse(plan("select mixed, count(*) from t group by mixed").contains("ConvergeAggregate"));
  }

  @Test
  void pushdownFalsePlansNoConvergeRel() throws SQLException {
    for (String sql : List.of("select _id, n from t where cat = 'needle'",
        "select n from t where _id = 'd5'", "select status, count(*) from t group by status",
        "select count(*) from t")) {
      String plan = RulesTestSupport.explain(off, sql);
      assertFalse(plan.contains("Converge"), plan);
    }
  }

  @Test
  void theModelOperandTurnsPushdownOffAndTheConnectionPropertyWins() throws SQLException {
    String url = ConvergeJdbc.urlWithModel(ConvergeJdbc.model(dir, false));
    String sql = "select _id, n from t where cat = 'needle'";
    try (Connection c = DriverManager.getConnection(url)) {
      assertFalse(RulesTestSupport.explain(c, sql).contains("Converge"));
    }
    Properties p = new Properties();
    p.setProperty("pushdown", "true");
    try (Connection c = DriverManager.getConnection(url, p)) {
      assertTrue(RulesTestSupport.explain(c, sql).contains("ConvergeIndexFilter"));
    }
    try (Connection c = DriverManager.getConnection(url + ";pushdown=TRUE")) {
      assertTrue(RulesTestSupport.explain(c, sql).contains("ConvergeIndexFilter"));
    }
    String onUrl = ConvergeJdbc.urlWithModel(ConvergeJdbc.model(dir, true));
    try (Connection c = DriverManager.getConnection(onUrl + ";pushdown=false")) {
      assertFalse(RulesTestSupport.explain(c, sql).contains("Converge"));
    }
  }

  @Test
  void pushdownIsOnByDefault() throws SQLException {
    try (Connection c = ConvergeJdbc.connect(dir)) {
      assertTrue(RulesTestSupport.explain(c, "select _id from t where cat = 'needle'")
          .contains("ConvergeIndexFilter"));
    }
  }
}
