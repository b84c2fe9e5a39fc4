package io.converge.cluster.aggregator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.log.KeyPartitioner;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Distributed planning against real shards: 3,000 orders and 50 customers split by
 * {@link KeyPartitioner} over 8 partitions held by 3 leaves ({@link TestLeafCluster}). Every query
 * must answer as one process holding all documents does, with pushdown and with
 * {@code distributed=false}; EXPLAIN shows what each pushdown sent.
 */
class ClusterPlanTest extends ClusterPlanFixture {
  @BeforeAll
  static void load() throws Exception {
    load(8, 3);
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
}
