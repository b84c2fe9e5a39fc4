package io.converge.cluster.aggregator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.log.KeyPartitioner;
import java.nio.file.Path;
import io.converge.cluster.fragment.FragmentParameter;
import io.converge.cluster.fragment.FragmentType;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed planning against real shards: 3,000 orders and 50 customers split by
 * {@link KeyPartitioner} over 8 partitions held by 3 leaves ({@link TestLeafCluster}). Every query
 * must answer as one process holding all documents does, with pushdown and with
 * {@code distributed=false}; EXPLAIN shows what each pushdown sent.
 */
class ClusterPlanTest {
  static final int ORDERS = 3_000;
  static int partitions;
  static int leaves;

  @TempDir
  static Path dir;
  static TestLeafCluster cluster;
  static Connection reference;
  static Connection distributed;
  static Connection gatherOnly;

  @BeforeAll
  static void load() throws Exception {
    load(8, 3);
  }

  static void load(int partitionCount, int leafCount) throws Exception {
    partitions = partitionCount;
    leaves = leafCount;
    cluster = new TestLeafCluster(dir.resolve(partitions + "x" + leaves), partitions, leaves);
    List<Map<String, Object>> orders = new ArrayList<>();
    String[] statuses = {"new", "paid", "shipped", "void"};
    for (int i = 0; i < ORDERS; i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "o" + i);
      if (i % 17 != 0) {
        d.put("status", statuses[(i * 7) % 4]);
      }
      d.put("amount", (i * 37) % 1000);
      d.put("price", (i % 400) * 0.25);
      d.put("qty", i % 13);
      d.put("region", "r" + (i % 7));
      d.put("cust", "c" + (i % 50));
      d.put("customer", Map.of("name", "n" + (i % 23), "tier", i % 3));
      if (i == 7) {
        d.put("rare", "only here");
      }
      orders.add(d);
    }
    cluster.load("orders", orders);
    List<Map<String, Object>> customers = new ArrayList<>();
    for (int j = 0; j < 50; j++) {
      customers.add(Map.of("_id", "c" + j, "name", "Name " + (j % 20), "tier", j % 4));
    }
    cluster.load("customers", customers);
    String id = ClusterRuntime.register("plan-test", cluster.view, cluster.transport);
    reference = cluster.reference();
    distributed = ClusterJdbc.connect(id, new Properties());
    Properties off = new Properties();
    off.setProperty(ClusterConnectionProperty.DISTRIBUTED.camelName(), "false");
    gatherOnly = ClusterJdbc.connect(id, off);
  }

  @AfterAll
  static void close() throws Exception {
    for (Connection c : new Connection[] {reference, distributed, gatherOnly}) {
      if (c != null) {
        c.close();
      }
    }
    ClusterRuntime.unregister("plan-test");
    if (cluster != null) {
      cluster.close();
    }
  }

  static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(i > 1 ? " | " : "").append(rs.getObject(i));
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  static String explain(Connection c, String sql) throws SQLException {
    return String.join("\n", rows(c, "EXPLAIN PLAN FOR " + sql));
  }

  /** Same rows (as sorted lists, and in order when {@code ordered}) on all three connections. */
  static void assertSameAnswer(String sql, boolean ordered) throws SQLException {
    List<String> expected = rows(reference, sql);
    List<String> pushed = rows(distributed, sql);
    List<String> raw = rows(gatherOnly, sql);
    if (ordered) {
      assertEquals(expected, pushed, () -> sql + "\n" + explainQuietly(sql));
      assertEquals(expected, raw, sql);
    }
    assertEquals(sorted(expected), sorted(pushed), () -> sql + "\n" + explainQuietly(sql));
    assertEquals(sorted(expected), sorted(raw), sql);
  }

  static String explainQuietly(String sql) {
    try {
      return explain(distributed, sql);
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  static List<String> sorted(List<String> rows) {
    return rows.stream().sorted().collect(Collectors.toList());
  }

  @Test
  void filtersAnswerAsOneProcess() throws SQLException {
    assertSameAnswer("SELECT _id, amount FROM orders WHERE status = 'paid' AND amount > 500",
        false);
    assertSameAnswer("SELECT _id FROM orders WHERE region IN ('r1', 'r3') OR price < 10", false);
    assertSameAnswer("SELECT _id, rare FROM orders WHERE rare IS NOT NULL", false);
    assertSameAnswer("SELECT _id, amount * 2 + qty AS x, \"customer.tier\" FROM orders "
        + "WHERE \"customer.name\" = 'n3' AND status IS NULL", false);
    assertSameAnswer("SELECT * FROM orders WHERE qty = 4 AND region = 'r2'", false);
    assertSameAnswer("SELECT upper(status) || '-' || region FROM orders WHERE amount < 40", false);
  }

  @Test
  void renderedExpressionsReadBackOnTheLeaves() throws SQLException {
    assertSameAnswer("SELECT _id FROM orders WHERE status LIKE 'p%' AND price BETWEEN 10 AND 20",
        false);
    assertSameAnswer("SELECT _id, CASE WHEN amount > 500 THEN 'hi' ELSE 'lo' END, "
        + "CAST(amount AS VARCHAR), COALESCE(status, 'none'), SUBSTRING(region FROM 2) "
        + "FROM orders WHERE MOD(qty, 3) = 1 AND status IS DISTINCT FROM 'new'", false);
    assertSameAnswer("SELECT _id, _event_time FROM orders WHERE _event_time >= "
        + "TIMESTAMP '2023-11-14 22:13:20' AND amount * 1.5 > 1400.25", false);
    assertSameAnswer("SELECT _id, price / 2 FROM orders WHERE NOT (price > 5) "
        + "AND region NOT IN ('r0', 'r1') ORDER BY price / 2 DESC, _id LIMIT 9", true);
    assertSameAnswer("SELECT region, SUM(amount * 2), MAX(CHAR_LENGTH(_id)) FROM orders "
        + "WHERE status <> 'void' GROUP BY region", false);
  }

  @Test
  void rangesOfStringsOfDifferentLengthsKeepTheirBounds() throws SQLException {
    String plan = explain(distributed,
        "SELECT _id FROM orders WHERE NOT (status BETWEEN 'new' AND 'paidxxxx')");
    assertTrue(plan.contains("\"status\" < 'new' OR"), plan);
    assertSameAnswer("SELECT _id FROM orders WHERE NOT (status BETWEEN 'new' AND 'paidxxxx')",
        false);
    assertSameAnswer("SELECT _id FROM orders WHERE status BETWEEN 'new' AND 'paidxxxx'", false);
    assertSameAnswer("SELECT COUNT(*) FROM orders WHERE region IN ('r1', 'r2xxxxx')", false);
  }

  /** Binds a prepared statement's parameters. */
  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  static List<String> rows(PreparedStatement ps) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(i > 1 ? " | " : "").append(rs.getObject(i));
        }
        out.add(b.toString());
      }
    }
    return sorted(out);
  }

  /**
   * Runs {@code sql} prepared once per connection and executed once per binder (the same
   * statement objects re-executed with other values): each execution answers as the literal
   * query ({@code literals}, same order as the binders) does on one process, and as the same
   * statement on one process and with pushdown off. Returns the answers, per execution.
   */
  static List<List<String>> assertSameParamAnswers(String sql, List<String> literals,
      List<Binder> binders) throws SQLException {
    List<List<String>> answers = new ArrayList<>();
    try (PreparedStatement ref = reference.prepareStatement(sql);
        PreparedStatement pushed = distributed.prepareStatement(sql);
        PreparedStatement raw = gatherOnly.prepareStatement(sql)) {
      for (int i = 0; i < binders.size(); i++) {
        List<String> expected = sorted(rows(reference, literals.get(i)));
        for (PreparedStatement ps : List.of(ref, pushed, raw)) {
          binders.get(i).bind(ps);
          String which = ps == ref ? "one process" : ps == pushed ? "pushed" : "pushdown off";
          assertEquals(expected, rows(ps), sql + " as " + literals.get(i) + " (" + which + ")\n"
              + explainQuietly(sql));
        }
        answers.add(expected);
      }
    }
    return answers;
  }

  @Test
  void parametersArePushedAndAnswerAsLiterals() throws SQLException {
    String sql = "SELECT _id, amount FROM orders WHERE _id = ? OR amount = ?";
    String plan = explain(distributed, sql);
    assertTrue(plan.contains("WHERE \"_id\" = ? OR \"amount\" = ?"), plan);
    assertTrue(plan.contains("partitions=[all " + partitions + "]"), plan);
    List<List<String>> answers = assertSameParamAnswers(sql,
        List.of("SELECT _id, amount FROM orders WHERE _id = 'o42' OR amount = 999",
            "SELECT _id, amount FROM orders WHERE _id = 'o43' OR amount = 1"),
        List.of(ps -> {
          ps.setString(1, "o42");
          ps.setInt(2, 999);
        }, ps -> {
          ps.setString(1, "o43");
          ps.setLong(2, 1L);
        }));
    assertFalse(answers.get(0).isEmpty());
    assertFalse(answers.get(0).equals(answers.get(1)));
  }

  @Test
  void idParameterAsksOnlyTheOwningPartitionAtExecution() throws SQLException {
    String sql = "SELECT _id, amount, status FROM orders WHERE _id = ?";
    String plan = explain(distributed, sql);
    assertTrue(plan.contains("fragment=[SELECT \"_id\", \"amount\", \"status\" FROM \"orders\" "
        + "WHERE \"_id\" = ?]"), plan);
    assertTrue(plan.contains("partitions=[by _id = ?0 of " + partitions + ", at execution]"), plan);
    assertFalse(plan.contains("EnumerableFilter"), plan);
    try (PreparedStatement ps = distributed.prepareStatement(sql)) {
      for (String id : List.of("o42", "o7", "o2999", "nope")) {
        cluster.requests.clear();
        ps.setString(1, id);
        assertEquals(rows(reference, "SELECT _id, amount, status FROM orders WHERE _id = '"
            + id + "'"), rows(ps), id);
        assertEquals(1, cluster.requests.size(), id);
        FragmentRequest r = cluster.requests.get(0);
        assertEquals(List.of(KeyPartitioner.partitionOf(id, partitions)), r.partitions(), id);
        assertEquals(List.of(FragmentParameter.of(FragmentType.VARCHAR, id)), r.parameters());
      }
      // NULL matches no key: one partition still answers (no rows)
      cluster.requests.clear();
      ps.setNull(1, Types.VARCHAR);
      assertEquals(List.of(), rows(ps));
      assertEquals(1, cluster.requests.size());
      assertEquals(List.of(0), cluster.requests.get(0).partitions());
    }
    assertSameParamAnswers(sql, List.of("SELECT _id, amount, status FROM orders WHERE _id = 'o5'",
        "SELECT _id, amount, status FROM orders WHERE _id = 'o6'"),
        List.of(ps -> ps.setString(1, "o5"), ps -> ps.setString(1, "o6")));
  }

  @Test
  void idInParametersAskTheOwnersOfTheirValues() throws SQLException {
    String sql = "SELECT _id, qty FROM orders WHERE _id IN (?, ?) AND qty >= ?";
    String plan = explain(distributed, sql);
    assertTrue(plan.contains("partitions=[by _id in (?0, ?1) of " + partitions
        + ", at execution]"), plan);
    try (PreparedStatement ps = distributed.prepareStatement(sql)) {
      for (List<String> ids : List.of(List.of("o1", "o2999"), List.of("o77", "o78"))) {
        cluster.requests.clear();
        ps.setString(1, ids.get(0));
        ps.setString(2, ids.get(1));
        ps.setInt(3, 0);
        assertEquals(2, rows(ps).size(), ids.toString());
        Set<Integer> owning = new TreeSet<>();
        ids.forEach(id -> owning.add(KeyPartitioner.partitionOf(id, partitions)));
        Set<Integer> asked = new TreeSet<>();
        cluster.requests.forEach(r -> asked.addAll(r.partitions()));
        assertEquals(owning, asked, ids.toString());
      }
    }
    assertSameParamAnswers(sql,
        List.of("SELECT _id, qty FROM orders WHERE _id IN ('o1', 'o14') AND qty >= 2",
            "SELECT _id, qty FROM orders WHERE _id IN ('o3', 'x') AND qty >= 0"),
        List.of(ps -> {
          ps.setString(1, "o1");
          ps.setString(2, "o14");
          ps.setInt(3, 2);
        }, ps -> {
          ps.setString(1, "o3");
          ps.setString(2, "x");
          ps.setLong(3, 0);
        }));
  }

  @Test
  void idParametersMixedWithLiteralsRouteToASuperset() throws SQLException {
    String or = "SELECT _id, amount FROM orders WHERE (_id = ? OR _id = 'o5') AND amount >= ?";
    String plan = explain(distributed, or);
    assertTrue(plan.contains("partitions=[by _id in ('o5', ?0) of " + partitions
        + ", at execution]"), plan);
    assertSameParamAnswers(or,
        List.of("SELECT _id, amount FROM orders WHERE _id IN ('o9', 'o5') AND amount >= 0",
            "SELECT _id, amount FROM orders WHERE _id IN ('o5') AND amount >= 0"),
        List.of(ps -> {
          ps.setString(1, "o9");
          ps.setInt(2, 0);
        }, ps -> {
          ps.setNull(1, Types.VARCHAR);
          ps.setInt(2, 0);
        }));
    // both hold: the literal key alone routes, when planning
    String and = "SELECT _id FROM orders WHERE _id = ? AND _id = 'o5'";
    assertTrue(explain(distributed, and).contains("partitions=[["
        + KeyPartitioner.partitionOf("o5", partitions) + "] of " + partitions + " by _id]"));
    assertSameParamAnswers(and,
        List.of("SELECT _id FROM orders WHERE _id = 'o5'",
            "SELECT _id FROM orders WHERE _id = 'o6' AND _id = 'o5'"),
        List.of(ps -> ps.setString(1, "o5"), ps -> ps.setString(1, "o6")));
  }

  @Test
  void rangeParametersOnIntegersDoublesAndTimestamps() throws SQLException {
    String plan = explain(distributed, "SELECT _id FROM orders WHERE amount > ? AND price <= ?");
    assertTrue(plan.contains("WHERE \"amount\" > ? AND \"price\" <= ?"), plan);
    assertSameParamAnswers("SELECT _id, amount, price FROM orders WHERE amount > ? AND price <= ?",
        List.of("SELECT _id, amount, price FROM orders WHERE amount > 900 AND price <= 20",
            "SELECT _id, amount, price FROM orders WHERE amount > 990 AND price <= 99.75"),
        List.of(ps -> {
          ps.setInt(1, 900);
          ps.setDouble(2, 20);
        }, ps -> {
          ps.setLong(1, 990);
          ps.setBigDecimal(2, new BigDecimal("99.75"));
        }));
    Timestamp at = new Timestamp(TestLeafCluster.EVENT_TIME);
    Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
    assertSameParamAnswers("SELECT _id FROM orders WHERE _event_time >= ? AND qty = 3",
        List.of("SELECT _id FROM orders WHERE _event_time >= TIMESTAMP '2023-11-14 22:13:20' "
            + "AND qty = 3",
            "SELECT _id FROM orders WHERE _event_time >= TIMESTAMP '2023-11-14 22:13:20.001' "
            + "AND qty = 3"),
        List.of(ps -> ps.setTimestamp(1, at, utc),
            ps -> ps.setTimestamp(1, new Timestamp(at.getTime() + 1), utc)));
  }

  @Test
  void stringBooleanAndNullParameters() throws SQLException {
    String sql = "SELECT _id, status FROM orders WHERE status = ? AND (qty > 6) = ?";
    assertSameParamAnswers(sql,
        List.of("SELECT _id, status FROM orders WHERE status = 'paid' AND (qty > 6) = TRUE",
            "SELECT _id, status FROM orders WHERE status = 'new' AND (qty > 6) = FALSE",
            "SELECT _id, status FROM orders WHERE status = NULL"),
        List.of(ps -> {
          ps.setString(1, "paid");
          ps.setBoolean(2, true);
        }, ps -> {
          ps.setString(1, "new");
          ps.setBoolean(2, false);
        }, ps -> {
          ps.setNull(1, Types.VARCHAR);
          ps.setBoolean(2, true);
        }));
    assertSameParamAnswers("SELECT _id FROM orders WHERE amount > ? OR qty = 12",
        List.of("SELECT _id FROM orders WHERE amount > NULL OR qty = 12"),
        List.of(ps -> ps.setNull(1, Types.BIGINT)));
  }

  @Test
  void groupByWithAParameterFilterIsAPartialAggregate() throws SQLException {
    String sql = "SELECT region, COUNT(*), SUM(amount), MAX(price) FROM orders WHERE qty > ? "
        + "GROUP BY region";
    String plan = explain(distributed, sql);
    assertTrue(plan.contains("merge=[partial aggregate: group {"), plan);
    assertTrue(plan.contains("WHERE \"qty\" > ? GROUP BY \"region\""), plan);
    assertFalse(plan.contains("EnumerableAggregate"), plan);
    assertSameParamAnswers(sql,
        List.of(sql.replace("?", "3"), sql.replace("?", "11"), sql.replace("?", "100")),
        List.of(ps -> ps.setInt(1, 3), ps -> ps.setInt(1, 11), ps -> ps.setInt(1, 100)));
  }

  @Test
  void parametersInTheSelectListAreTypedAsValidated() throws SQLException {
    String sql = "SELECT _id, amount + CAST(? AS INTEGER), CAST(? AS VARCHAR(10)) || region, "
        + "price * CAST(? AS DOUBLE) FROM orders WHERE qty = ? AND amount < 100";
    String plan = explain(distributed, sql);
    assertTrue(plan.contains("CAST(? AS INTEGER)"), plan);
    assertFalse(plan.contains("EnumerableCalc"), plan);
    assertSameParamAnswers(sql,
        List.of("SELECT _id, amount + 5, 'x-' || region, price * 0.5 FROM orders "
            + "WHERE qty = 4 AND amount < 100",
            "SELECT _id, amount + -7, 'yy' || region, price * 2.0 FROM orders "
            + "WHERE qty = 9 AND amount < 100"),
        List.of(ps -> {
          ps.setInt(1, 5);
          ps.setString(2, "x-");
          ps.setDouble(3, 0.5);
          ps.setInt(4, 4);
        }, ps -> {
          ps.setInt(1, -7);
          ps.setString(2, "yy");
          ps.setDouble(3, 2);
          ps.setInt(4, 9);
        }));
  }

  @Test
  void fragmentMarkersFollowTheFragmentNotTheUsersOrder() throws SQLException {
    // ?1 is used by the aggregator's join above the gathers, ?0 and ?2 by the orders fragment
    String sql = "SELECT o._id, c.name FROM orders o JOIN customers c ON o.cust = c._id "
        + "WHERE o.qty = ? AND c.tier = ? AND o.amount > ?";
    assertSameParamAnswers(sql,
        List.of("SELECT o._id, c.name FROM orders o JOIN customers c ON o.cust = c._id "
            + "WHERE o.qty = 4 AND c.tier = 1 AND o.amount > 500",
            "SELECT o._id, c.name FROM orders o JOIN customers c ON o.cust = c._id "
            + "WHERE o.qty = 7 AND c.tier = 3 AND o.amount > 100"),
        List.of(ps -> {
          ps.setInt(1, 4);
          ps.setInt(2, 1);
          ps.setInt(3, 500);
        }, ps -> {
          ps.setInt(1, 7);
          ps.setInt(2, 3);
          ps.setInt(3, 100);
        }));
  }

  @Test
  void aggregatesAnswerAsOneProcess() throws SQLException {
    assertSameAnswer("SELECT status, COUNT(*), SUM(amount), MIN(price), MAX(price), "
        + "AVG(amount), AVG(price), COUNT(status) FROM orders GROUP BY status", false);
    assertSameAnswer("SELECT region, COUNT(DISTINCT status) FROM orders GROUP BY region", false);
    assertSameAnswer("SELECT COUNT(DISTINCT cust) FROM orders", false);
    assertSameAnswer("SELECT region, COUNT(*), SUM(qty), COUNT(DISTINCT status) FROM orders "
        + "GROUP BY region", false);
    assertSameAnswer("SELECT COUNT(*), SUM(qty), MIN(_id), MAX(_id), MIN(rare) FROM orders", false);
    assertSameAnswer("SELECT COUNT(*), SUM(amount), MAX(status) FROM orders WHERE amount > 5000",
        false);
    assertSameAnswer("SELECT status, region, SUM(price) FROM orders WHERE qty > 3 "
        + "GROUP BY status, region HAVING COUNT(*) > 5", false);
    assertSameAnswer("SELECT \"customer.tier\", qty, COUNT(*) FROM orders GROUP BY "
        + "\"customer.tier\", qty", false);
  }

  @Test
  void topNAndLimitAnswerAsOneProcess() throws SQLException {
    assertSameAnswer("SELECT _id, amount FROM orders ORDER BY amount DESC, _id LIMIT 10", true);
    assertSameAnswer("SELECT _id, price FROM orders ORDER BY price, _id LIMIT 5 OFFSET 20", true);
    assertSameAnswer("SELECT _id, status FROM orders ORDER BY status NULLS FIRST, _id LIMIT 7",
        true);
    assertSameAnswer("SELECT _id, status FROM orders ORDER BY status DESC, _id DESC LIMIT 7",
        true);
    assertSameAnswer("SELECT _id, amount FROM orders WHERE region = 'r4' "
        + "ORDER BY amount, _id LIMIT 12", true);
    assertSameAnswer("SELECT COUNT(*) FROM (SELECT _id FROM orders LIMIT 10)", false);
    assertSameAnswer("SELECT COUNT(*) FROM (SELECT _id FROM orders WHERE qty = 2 "
        + "LIMIT 5 OFFSET 3)", false);
    List<String> ids = rows(distributed, "SELECT _id FROM orders LIMIT 10");
    assertEquals(10, ids.size());
    assertEquals(10, new TreeSet<>(ids).size());
  }

  @Test
  void idLookupsAnswerAsOneProcess() throws SQLException {
    assertSameAnswer("SELECT _id, amount, status FROM orders WHERE _id = 'o42'", false);
    assertSameAnswer("SELECT _id, amount FROM orders WHERE _id IN ('o1', 'o2', 'o2999', 'x')",
        false);
    assertSameAnswer("SELECT COUNT(*) FROM orders WHERE _id = 'nope'", false);
    assertSameAnswer("SELECT _id FROM orders WHERE _id = 'o5' AND amount > 1000", false);
  }

  @Test
  void joinsWindowsSubqueriesAndSetOpsRunAboveGathers() throws SQLException {
    String join = "SELECT c.name, COUNT(*), SUM(o.amount) FROM orders o JOIN customers c "
        + "ON o.cust = c._id WHERE o.status = 'paid' GROUP BY c.name";
    assertSameAnswer(join, false);
    String plan = explain(distributed, join);
    assertTrue(plan.contains("Join"), plan);
    assertEquals(2, count(plan, "ClusterGather("), plan);
    assertSameAnswer("SELECT _id, RANK() OVER (PARTITION BY region ORDER BY amount DESC, _id) "
        + "FROM orders WHERE qty = 1", false);
    assertSameAnswer("SELECT _id FROM orders WHERE amount > (SELECT AVG(amount) FROM orders) "
        + "AND region = 'r2'", false);
    assertSameAnswer("SELECT _id FROM orders WHERE qty = 1 UNION SELECT _id FROM customers",
        false);
    cluster.requests.clear();
    assertSameAnswer("SELECT o._id, c._id FROM orders o, customers c "
        + "WHERE o.amount < 20 AND c.tier = 1 AND o.qty > c.tier + 9", false);
    // the nested loop's inner gather is asked once per leaf and answer, not once per outer row
    assertTrue(cluster.requests.size() <= 2 * 2 * leaves,
        () -> cluster.requests.size() + " requests");
    assertSameAnswer("SELECT tier, COUNT(*) FROM customers WHERE _id IN "
        + "(SELECT cust FROM orders WHERE amount > 990) GROUP BY tier", false);
  }

  @Test
  void explainShowsFilterInFragment() throws SQLException {
    String plan = explain(distributed,
        "SELECT _id, amount FROM orders WHERE status = 'paid' AND amount > 500");
    assertTrue(plan.contains("ClusterGather(fragment=[SELECT"), plan);
    assertTrue(plan.matches("(?s).*fragment=\\[[^\\]]*FROM \"orders\" WHERE[^\\]]*\"status\" = "
        + "'paid'.*"), plan);
    assertTrue(plan.contains("partitions=[all " + partitions + "]"), plan);
    assertTrue(plan.contains("merge=[concat]"), plan);
    assertFalse(plan.contains("EnumerableFilter"), plan);
  }

  @Test
  void explainShowsPartialAggregate() throws SQLException {
    String plan = explain(distributed,
        "SELECT status, COUNT(*), SUM(amount), MIN(price), MAX(price), AVG(amount) "
            + "FROM orders GROUP BY status");
    assertTrue(plan.contains("merge=[partial aggregate: group {"), plan);
    assertTrue(plan.contains("SUM0($"), plan);
    assertTrue(plan.contains("GROUP BY \"status\""), plan);
    assertFalse(plan.contains("EnumerableAggregate"), plan);
    String distinct = explain(distributed, "SELECT COUNT(DISTINCT cust) FROM orders");
    assertTrue(distinct.contains("GROUP BY \"cust\""), distinct);
    String mixed = explain(distributed,
        "SELECT region, COUNT(*), COUNT(DISTINCT status) FROM orders GROUP BY region");
    assertEquals(0, count(mixed, "merge=[concat]"), mixed);
  }

  @Test
  void explainShowsTopNAndLimit() throws SQLException {
    String topN = explain(distributed,
        "SELECT _id, price FROM orders ORDER BY price, _id LIMIT 5 OFFSET 20");
    assertTrue(topN.contains("merge=[top-n: k-way merge by $1, $0, offset 20, fetch 5]"), topN);
    assertTrue(topN.contains("ORDER BY \"price\", \"_id\" FETCH NEXT 25 ROWS ONLY"), topN);
    assertFalse(topN.contains("EnumerableSort"), topN);
    String limit = explain(distributed, "SELECT _id FROM orders WHERE qty = 2 LIMIT 5");
    assertTrue(limit.contains("merge=[limit: offset 0, fetch 5, early stop]"), limit);
    assertTrue(limit.contains("FETCH NEXT 5 ROWS ONLY"), limit);
  }

  @Test
  void idLookupAsksOnlyTheOwningPartitions() throws SQLException {
    int p42 = KeyPartitioner.partitionOf("o42", partitions);
    String sql = "SELECT _id, amount FROM orders WHERE _id = 'o42'";
    String plan = explain(distributed, sql);
    assertTrue(plan.contains("partitions=[[" + p42 + "] of " + partitions + " by _id]"), plan);
    cluster.requests.clear();
    assertEquals(1, rows(distributed, sql).size());
    assertEquals(1, cluster.requests.size());
    assertEquals(List.of(p42), cluster.requests.get(0).partitions());

    Set<Integer> owning = new TreeSet<>();
    for (String id : List.of("o1", "o2", "o2999")) {
      owning.add(KeyPartitioner.partitionOf(id, partitions));
    }
    cluster.requests.clear();
    assertEquals(3, rows(distributed,
        "SELECT _id FROM orders WHERE _id IN ('o1', 'o2', 'o2999')").size());
    Set<Integer> asked = new TreeSet<>();
    for (FragmentRequest r : cluster.requests) {
      asked.addAll(r.partitions());
    }
    assertEquals(owning, asked);
  }

  @Test
  void gatherOnlyPushesNothingButTheScan() throws SQLException {
    String plan = explain(gatherOnly,
        "SELECT status, COUNT(*) FROM orders WHERE amount > 500 GROUP BY status");
    assertTrue(plan.contains("fragment=[SELECT * FROM \"orders\"]"), plan);
    assertTrue(plan.contains("EnumerableAggregate"), plan);
    assertTrue(plan.contains("partitions=[all " + partitions + "]"), plan);
  }

  @Test
  void everyLeafIsAskedOnceAndInParallel() throws SQLException {
    cluster.requests.clear();
    rows(distributed, "SELECT COUNT(*) FROM orders");
    assertEquals(leaves, cluster.requests.size());
    Set<Integer> asked = new TreeSet<>();
    cluster.requests.forEach(r -> asked.addAll(r.partitions()));
    assertEquals(partitions, asked.size());
  }

  @Test
  void theStatementTimeoutIsTheFragmentsDeadline() throws SQLException {
    cluster.requests.clear();
    long before = System.currentTimeMillis();
    try (Statement s = distributed.createStatement()) {
      s.setQueryTimeout(30);
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM orders WHERE qty = 3")) {
        assertTrue(rs.next());
      }
    }
    long after = System.currentTimeMillis();
    assertFalse(cluster.requests.isEmpty());
    for (FragmentRequest r : cluster.requests) {
      assertTrue(r.deadlineMillis() >= before + 30_000 && r.deadlineMillis() <= after + 30_000,
          () -> "deadline " + r.deadlineMillis() + " not 30 s after " + before);
    }
  }

  static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void aFailingLeafIsNamedInOneLine() throws Exception {
    TestLeafCluster.View view = cluster.view;
    String id = ClusterRuntime.register("plan-test-failing", view,
        new io.converge.cluster.fragment.FragmentTransport() {
          @Override
          public io.converge.cluster.fragment.FragmentStream open(
              io.converge.cluster.fragment.LeafEndpoint leaf, FragmentRequest request)
              throws io.converge.cluster.fragment.FragmentException {
            if (leaf.leafId().equals("leaf-1")) {
              throw new io.converge.cluster.fragment.FragmentException(
                  io.converge.cluster.fragment.FragmentException.Kind.UNAVAILABLE,
                  "shard moved\naway");
            }
            return cluster.transport.open(leaf, request);
          }

          @Override
          public void close() {}
        });
    try (Connection c = ClusterJdbc.connect(id, new Properties())) {
      SQLException e = assertThrows(SQLException.class, () -> rows(c, "SELECT COUNT(*) FROM orders"));
      String all = messages(e);
      List<Integer> held = new ArrayList<>();
      for (int p = 1; p < partitions; p += leaves) {
        held.add(p);
      }
      assertTrue(all.contains("leaf leaf-1@127.0.0.1:40001 (partitions " + held
          + "): UNAVAILABLE: shard moved away"), all);
    } finally {
      ClusterRuntime.unregister(id);
    }
  }

  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append('\n');
    }
    return b.toString();
  }
}
