package io.converge.cluster.aggregator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.fragment.FragmentParameter;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.FragmentType;
import io.converge.cluster.log.KeyPartitioner;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Prepared statements through the aggregator: their parameters are pushed in the fragments
 * ({@code ?} markers, values in the request) and {@code _id} parameters choose the partitions at
 * execution. Every execution of one statement object answers as the same query with literals,
 * on one process and with pushdown off.
 */
class ClusterParamsPlanTest extends ClusterPlanFixture {
  @BeforeAll
  static void load() throws Exception {
    load(8, 3);
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
}
