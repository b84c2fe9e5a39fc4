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
    RulesTestSupport.upsert(store, "u", List.of(
        java.util.Map.of("_id", "u1", "ts", "2026-01-01T00:00:00.123456Z",
            "nums", List.of(1L, 2.5d), "words", List.of("a", "b")),
        java.util.Map.of("_id", "u2", "ts", "2026-01-01T00:00:00.123Z", "nums", List.of(3L),
            "words", List.of("b")),
        java.util.Map.of("_id", "u3", "ts", "2026-01-01T00:00:00.124Z",
            "nums", java.util.Collections.emptyList(), "words", List.of("c", 7L)),
        java.util.Map.of("_id", "u4", "ts", "2025-12-31T23:59:59.999999Z")));
    // filler rows, so that an index path can be cheaper than scanning u
    List<java.util.Map<String, Object>> filler = new java.util.ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      filler.add(java.util.Map.of("_id", "f" + i, "ts", "2027-01-01T00:00:00Z",
          "nums", List.of(100L), "words", List.of("z")));
    }
    RulesTestSupport.upsert(store, "u", filler);
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
  void aggregatesOverArithmeticOfTwoColumnsAreColumnAggregates() throws SQLException {
    // n BIGINT, x INT+DOUBLE (DOUBLE), d DOUBLE: BIGINT * BIGINT stays BIGINT, the rest DOUBLE.
    String sql = "select status, sum(n * n), sum(n - x), min(n + d), max(d * x), count(n * d)"
        + " from t group by status";
    String plan = plan(sql);
    assertTrue(plan.contains("ConvergeAggregate("), plan);
    assertTrue(plan.contains("SUM(n * n)") && plan.contains("MIN(n + d)"), plan);
    assertSameRows(sql);
    sql = "select sum(n * x), avg(d - n) from t where cat = 'needle'";
    plan = plan(sql);
    assertTrue(plan.contains("ConvergeAggregate(") && plan.contains("condition=[cat = 'needle']"),
        plan);
    assertSameRows(sql);
    // A computed group key, or a literal operand, stays in Calcite (still the same rows).
    sql = "select n * 2, count(*) from t group by n * 2";
    assertTrue(!plan(sql).contains("ConvergeAggregate("), plan(sql));
    assertSameRows(sql);
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

  private void assertSameOrderedRows(String sql) throws SQLException {
    assertEquals(RulesTestSupport.query(off, sql), RulesTestSupport.query(on, sql), sql);
  }

  @Test
  void aLimitStopsTheReadAfterItsRows() throws SQLException {
    String sql = "select _id, n from t where cat = 'c1' limit 7";
    String plan = plan(sql);
    assertTrue(plan.contains("ConvergeLimit(") && plan.contains("condition=[cat = 'c1']")
        && plan.contains("limit=[7]") && !plan.contains("order="), plan);
    List<String> rows = RulesTestSupport.query(on, sql);
    assertEquals(7, rows.size());
    assertSameOrderedRows(sql); // both are the first seven in rid order
    plan = plan("select _id from t limit 3 offset 4");
    assertTrue(plan.contains("ConvergeLimit(") && plan.contains("limit=[7]"), plan);
    assertSameOrderedRows("select _id from t limit 3 offset 4");
  }

  @Test
  void orderByLimitIsATopNInStorage() throws SQLException {
    String sql = "select _id, n, cat from t order by n desc nulls last, _id limit 10 offset 5";
    String plan = plan(sql);
    assertTrue(plan.contains("ConvergeLimit(")
        && plan.contains("order=[[n DESC NULLS LAST, _id NULLS LAST]]")
        && plan.contains("limit=[15]"), plan);
    assertTrue(plan.indexOf("Sort") < plan.indexOf("ConvergeLimit"), plan); // Calcite sorts 15
    assertSameOrderedRows(sql);
    for (String q : List.of(
        "select _id, x from t order by x, _id desc limit 20",
        "select _id, x from t where cat = 'needle' order by x nulls first, _id limit 5",
        "select ts, _id from t order by ts desc, _id limit 12",
        "select _id, flag, \"nested.b\" from t order by flag, \"nested.b\" desc, _id limit 9",
        "select upper(cat) as c, _id from t order by _id desc limit 4")) {
      assertTrue(plan(q).contains("ConvergeLimit("), q);
      assertSameOrderedRows(q);
    }
    // one key: ties are broken by rid, any answer is valid; the key values are Calcite's
    List<String> a = RulesTestSupport.query(on, "select status from t order by status limit 30");
    List<String> b = RulesTestSupport.query(off, "select status from t order by status limit 30");
    assertEquals(b, a);
  }

  @Test
  void aSortOnAMixedTypeColumnStaysInCalcite() throws SQLException {
    String plan = plan("select _id, mixed from t order by mixed, _id limit 3");
    assertFalse(plan.contains("ConvergeLimit"), plan);
    assertSameOrderedRows("select _id, mixed from t order by mixed, _id limit 3");
    // a filter that does not wholly translate keeps the limit in Calcite too
    plan = plan("select _id from t where upper(cat) = 'C1' limit 3");
    assertFalse(plan.contains("ConvergeLimit"), plan);
  }

  @Test
  void timestampPredicatesAreExactToTheMillisecond() throws SQLException {
    String sql = "select _id from u where ts = timestamp '2026-01-01 00:00:00.123'";
    ConvergeIndexFilter.preferForTests = true;
    String plan;
    try {
      plan = plan(sql);
    } finally {
      ConvergeIndexFilter.preferForTests = false;
    }
    assertTrue(plan.contains("condition=[(ts >= 2026-01-01T00:00:00.123Z AND ts < "
        + "2026-01-01T00:00:00.124Z)]"), plan);
    // u1 is 123.456 ms: Calcite sees .123 for both u1 and u2
    assertEquals(List.of("u1", "u2"), sorted(RulesTestSupport.query(on, sql)));
    for (String where : List.of("ts = timestamp '2026-01-01 00:00:00.123'",
        "ts <> timestamp '2026-01-01 00:00:00.123'", "ts > timestamp '2026-01-01 00:00:00.123'",
        "ts >= timestamp '2026-01-01 00:00:00.124'", "ts < timestamp '2026-01-01 00:00:00.124'",
        "ts <= timestamp '2026-01-01 00:00:00.123'",
        "ts between timestamp '2025-12-31 23:59:59.999' and timestamp '2026-01-01 00:00:00.123'",
        "ts in (timestamp '2026-01-01 00:00:00.124', timestamp '2025-12-31 23:59:59.999')",
        "ts not in (timestamp '2026-01-01 00:00:00.124')", "ts is null", "ts is not null",
        "not (ts < timestamp '2026-01-01 00:00:00.124')",
        "_event_time >= timestamp '2026-01-01 00:00:00'",
        "_event_time < timestamp '2026-01-01 00:00:00'")) {
      for (boolean prefer : new boolean[] {false, true}) {
        ConvergeIndexFilter.preferForTests = prefer;
        try {
          String q = "select _id, ts from u where " + where;
          if (prefer) {
            assertTrue(plan(q).contains("ConvergeIndexFilter"), q + "\n" + plan(q));
          }
          assertSameRows(q);
          assertSameRows("select _id, ts from t where " + where.replace("00:00:00.12",
              "10:10:00.12"));
        } finally {
          ConvergeIndexFilter.preferForTests = false;
        }
      }
    }
  }

  private static List<String> sorted(List<String> rows) {
    Collections.sort(rows);
    return rows;
  }

  @Test
  void arrayContainsIsAnIndexPredicate() throws SQLException {
    String sql = "select _id from t where array_contains(tags, 't3') and cat = 'needle'";
    String plan = plan(sql);
    assertTrue(plan.contains("tags CONTAINS 't3'"), plan);
    assertSameRows(sql);
    for (String where : List.of("array_contains(nums, 1)", "array_contains(nums, 2.5)",
        "array_contains(nums, 3.0)", "not array_contains(nums, 1)", "array_contains(nums, 9)",
        "array_contains(words, 'b')", "array_contains(words, '7')",
        "not array_contains(words, 'c')", "array_contains(nums, null)")) {
      ConvergeIndexFilter.preferForTests = true;
      try {
        assertSameRows("select _id from u where " + where);
      } finally {
        ConvergeIndexFilter.preferForTests = false;
      }
    }
    assertEquals(List.of("u1", "u2"), sorted(RulesTestSupport.query(on,
        "select _id from u where array_contains(words, 'b')")));
    assertEquals(List.of("u1", "u3"), sorted(RulesTestSupport.query(off,
        "select _id from u where _id like 'u%' and not array_contains(nums, 3)"))); // u3's [] is FALSE, u4 NULL
    ConvergeIndexFilter.preferForTests = true;
    try {
      assertTrue(plan("select _id from u where array_contains(nums, 2.5)")
          .contains("nums CONTAINS 2.5"));
      // words holds strings and an integer: a TEXT element type, left to Calcite
      assertFalse(plan("select _id from u where array_contains(words, 'b')")
          .contains("words CONTAINS"));
    } finally {
      ConvergeIndexFilter.preferForTests = false;
    }
  }

  @Test
  void parametersAreBoundIntoIndexPredicatesAtEachExecution() throws SQLException {
    String sql = "select _id, n, x, ts from t where cat = ? and n >= ? and x < ? and ts > ?";
    ConvergeIndexFilter.preferForTests = true;
    try (java.sql.PreparedStatement explain = on.prepareStatement("explain plan for " + sql)) {
      explain.setString(1, "c1");
      explain.setLong(2, 1);
      explain.setDouble(3, 1);
      explain.setTimestamp(4, java.sql.Timestamp.valueOf("2026-01-10 00:00:00"));
      try (java.sql.ResultSet rs = explain.executeQuery()) {
        assertTrue(rs.next());
        String plan = rs.getString(1);
        assertTrue(plan.contains("ConvergeIndexFilter") && !plan.contains("cat = '?0'")
            && plan.contains("cat = ?0") && plan.contains("n >= ?1") && plan.contains("x < ?2")
            && plan.contains("ts >= ?3 + 1 ms"), plan);
      }
    } finally {
      ConvergeIndexFilter.preferForTests = false;
    }
    Object[][] bindings = {
        {"c1", 3L, 2.5d, java.sql.Timestamp.valueOf("2026-01-10 00:00:00")},
        {"needle", -40, 100, java.sql.Timestamp.valueOf("2025-01-10 00:00:00")},
        {"c2", new java.math.BigDecimal("2"), new java.math.BigDecimal("0.25"),
            java.sql.Timestamp.valueOf("2026-01-20 10:11:12.5")},
        {"c3", new java.math.BigDecimal("2.5"), 1e300, java.sql.Timestamp.valueOf(
            "2026-01-02 00:00:00")},
        {null, 1L, 1d, null},
    };
    ConvergeIndexFilter.preferForTests = true;
    try (java.sql.PreparedStatement onPs = on.prepareStatement(sql);
        java.sql.PreparedStatement offPs = off.prepareStatement(sql)) {
      for (Object[] b : bindings) {
        for (int i = 0; i < b.length; i++) {
          onPs.setObject(i + 1, b[i]);
          offPs.setObject(i + 1, b[i]);
        }
        assertEquals(allRows(offPs), allRows(onPs), java.util.Arrays.toString(b));
      }
    } finally {
      ConvergeIndexFilter.preferForTests = false;
    }
    // IN with parameters, and a parameter under NOT (left to Calcite)
    String in = "select _id, n from t where n in (?, ?) and not (cat = ?)";
    try (java.sql.PreparedStatement onPs = on.prepareStatement(in);
        java.sql.PreparedStatement offPs = off.prepareStatement(in)) {
      for (java.sql.PreparedStatement ps : List.of(onPs, offPs)) {
        ps.setInt(1, 7);
        ps.setLong(2, -3);
        ps.setString(3, "c4");
      }
      List<String> rows = allRows(onPs);
      assertEquals(allRows(offPs), rows);
      assertFalse(rows.isEmpty());
    }
  }

  @Test
  void exactParametersLeaveNoFilterAboveSoAggregatesStillFold() throws SQLException {
    String agg = "select cat, count(*), sum(n) from t where cat = ? and n >= ? group by cat";
    try (java.sql.PreparedStatement explain = on.prepareStatement("explain plan for " + agg)) {
      explain.setString(1, "c1");
      explain.setLong(2, 1);
      try (java.sql.ResultSet rs = explain.executeQuery()) {
        assertTrue(rs.next());
        assertFalse(rs.getString(1).startsWith("ConvergeToEnumerableConverter"),
            "an application's parameters keep a filter above: " + rs.getString(1));
      }
    }
    java.sql.PreparedStatement exact = ExactParameters.prepare(() -> on.prepareStatement(agg));
    java.sql.PreparedStatement exactExplain =
        ExactParameters.prepare(() -> on.prepareStatement("explain plan for " + agg));
    try (exact; exactExplain; java.sql.PreparedStatement offPs = off.prepareStatement(agg)) {
      exactExplain.setString(1, "c1");
      exactExplain.setLong(2, 1);
      try (java.sql.ResultSet rs = exactExplain.executeQuery()) {
        assertTrue(rs.next());
        String plan = rs.getString(1);
        assertTrue(plan.startsWith("ConvergeToEnumerableConverter") && plan.contains(
            "ConvergeAggregate") && plan.contains("cat = ?0") && plan.contains("n >= ?1"), plan);
      }
      Object[][] bindings = {{"c1", 1L}, {"c2", -5L}, {"needle", 0L}, {"none", 3L}, {null, 1L},
          {"c1", null}};
      for (Object[] b : bindings) {
        for (java.sql.PreparedStatement ps : List.of(exact, offPs)) {
          ps.setObject(1, b[0]);
          ps.setObject(2, b[1]);
        }
        assertEquals(allRows(offPs), allRows(exact), java.util.Arrays.toString(b));
      }
    }
  }

  private static List<String> allRows(java.sql.PreparedStatement ps) throws SQLException {
    try (java.sql.ResultSet rs = ps.executeQuery()) {
      return sorted(RulesTestSupport.rows(rs));
    }
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

  // Whole plans, one per access path: the EXPLAIN text from the root to the scan, so that an
  // operator added, dropped or moved anywhere in the plan shows.

  /** Asserts a query's whole EXPLAIN text, one string per line. */
  private void assertPlan(String sql, String... lines) throws SQLException {
    assertEquals(String.join("\n", lines) + "\n", plan(sql), sql);
  }

  @Test
  void wholePlanOfAnIndexFilter() throws SQLException {
    String sql = "select _id, n from t where cat = 'needle'";
    assertPlan(sql,
        "ConvergeToEnumerableConverter",
        "  ConvergeIndexFilter(table=[[converge, t]], columns=[[_id, n]], condition=[cat = "
            + "'needle'])");
    assertSameRows(sql);
  }

  @Test
  void wholePlanOfAnIdLookup() throws SQLException {
    String sql = "select n, cat from t where _id in ('d5', 'd6', 'nope') and n > 0";
    assertPlan(sql,
        "EnumerableCalc(expr#0..1=[{inputs}], n=[$t1], cat=[$t0])",
        "  ConvergeToEnumerableConverter",
        "    ConvergeRowLookup(table=[[converge, t]], columns=[[cat, n]], condition=[_id IN "
            + "('d5', 'd6', 'nope') AND n > 0])");
    assertSameRows(sql);
  }

  @Test
  void wholePlanOfAColumnAggregate() throws SQLException {
    String sql = "select status, count(*), sum(n), min(d) from t where cat = 'c1'"
        + " group by status";
    assertPlan(sql,
        "ConvergeToEnumerableConverter",
        "  ConvergeAggregate(table=[[converge, t]], group=[[status]], aggregates=[COUNT(*), "
            + "SUM(n), MIN(d)], condition=[cat = 'c1'])");
    assertSameRows(sql);
  }

  @Test
  void wholePlanOfATopN() throws SQLException {
    String sql = "select _id, n from t order by n desc nulls last, _id limit 10";
    assertPlan(sql,
        "EnumerableLimit(fetch=[10])",
        "  EnumerableSort(sort0=[$1], sort1=[$0], dir0=[DESC-nulls-last], dir1=[ASC])",
        "    ConvergeToEnumerableConverter",
        "      ConvergeLimit(table=[[converge, t]], columns=[[_id, n]], order=[[n DESC NULLS "
            + "LAST, _id NULLS LAST]], limit=[10])");
    assertSameOrderedRows(sql);
  }

  @Test
  void wholePlanOfALimit() throws SQLException {
    assertPlan("select _id, n from t where cat = 'c1' limit 7",
        "EnumerableLimit(fetch=[7])",
        "  ConvergeToEnumerableConverter",
        "    ConvergeLimit(table=[[converge, t]], columns=[[_id, n]], condition=[cat = 'c1'], "
            + "limit=[7])");
  }

  @Test
  void wholePlanOfAFullScan() throws SQLException {
    String sql = "select _id, n from t where status = 'a'"; // 50%: cheaper than the index
    assertPlan(sql,
        "EnumerableCalc(expr#0..2=[{inputs}], expr#3=['a':VARCHAR], expr#4=[=($t2, $t3)], "
            + "proj#0..1=[{exprs}], $condition=[$t4])",
        "  ConvergeToEnumerableConverter",
        "    ConvergeTableScan(table=[[converge, t]], columns=[[_id, n, status]])");
    assertSameRows(sql);
  }

  @Test
  void wholePlanOfAnAggregateOverAFilterStorageCannotEvaluate() throws SQLException {
    String sql = "select count(n) from t where upper(status) = 'A'";
    assertPlan(sql,
        "EnumerableAggregate(group=[{}], EXPR$0=[COUNT($0)])",
        "  EnumerableCalc(expr#0..1=[{inputs}], expr#2=[UPPER($t1)], expr#3=['A':VARCHAR], "
            + "expr#4=[=($t2, $t3)], proj#0..1=[{exprs}], $condition=[$t4])",
        "    ConvergeToEnumerableConverter",
        "      ConvergeTableScan(table=[[converge, t]], columns=[[n, status]])");
    assertSameRows(sql);
  }

  @Test
  void wholePlanOfAResidualFilter() throws SQLException {
    String sql = "select _id, status from t where cat = 'needle' and upper(status) = 'A'";
    assertPlan(sql,
        "EnumerableCalc(expr#0..1=[{inputs}], expr#2=[UPPER($t1)], expr#3=['A':VARCHAR], "
            + "expr#4=[=($t2, $t3)], proj#0..1=[{exprs}], $condition=[$t4])",
        "  ConvergeToEnumerableConverter",
        "    ConvergeIndexFilter(table=[[converge, t]], columns=[[_id, status]], condition=[cat = "
            + "'needle'])");
    assertSameRows(sql);
  }
}
