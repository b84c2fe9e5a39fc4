package io.converge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.adapter.ConvergeSchemaFactory;
import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joins with push-down on: inner equi-joins are {@code ConvergeHashJoin}s with the fact table on
 * the probe side and no sort of it; a star of them over a Converge access of the fact table runs
 * as one star join (EXPLAIN: {@code star=[...]}); and every join returns the rows Calcite's own
 * joins return with push-down off, including null and dangling foreign keys, duplicate
 * dimension keys, two-column keys, an empty dimension, snowflake joins and outer joins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConvergeStarJoinTest {
  @TempDir static Path dir;
  private Connection on;
  private Connection off;

  /**
   * {@code sales} (5,000 rows: {@code store_id} with nulls and ids of no store, {@code day_id},
   * {@code item_id}, {@code region} + {@code item_id} as a two-column key into {@code price},
   * {@code qty}, {@code amount}); {@code store} (40, {@code city}, {@code region}), {@code cal}
   * (100 days, {@code yr}, {@code mon}), {@code item} (30 ids, some twice: keys that are not
   * unique; {@code brand_id} into {@code brand}), {@code brand} (5), {@code price} (region,
   * item_id, list price).
   */
  @BeforeAll
  void load() throws SQLException {
    ConvergeStore store = ConvergeSchemaFactory.store(dir);
    Random r = new Random(7);
    String[] regions = {"north", "south", "east", "west"};
    List<Map<String, Object>> stores = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      stores.add(Map.of("_id", "s" + i, "store_id", (long) i, "city", "city" + (i % 7),
          "region", regions[i % 4]));
    }
    RulesTestSupport.upsert(store, "store", stores);
    List<Map<String, Object>> days = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      days.add(Map.of("_id", "d" + i, "day_id", 20200101L + i, "yr", 2020L + i / 40,
          "mon", "m" + (i % 12)));
    }
    RulesTestSupport.upsert(store, "cal", days);
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < 36; i++) {
      items.add(Map.of("_id", "i" + i, "item_id", (long) (i % 30), "name", "item" + i,
          "brand_id", (long) (i % 5)));
    }
    RulesTestSupport.upsert(store, "item", items);
    List<Map<String, Object>> brands = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      brands.add(Map.of("_id", "b" + i, "brand_id", (long) i, "label", "brand" + i));
    }
    RulesTestSupport.upsert(store, "brand", brands);
    List<Map<String, Object>> prices = new ArrayList<>();
    for (String reg : regions) {
      for (int i = 0; i < 30; i += 2) {
        prices.add(Map.of("_id", reg + i, "region", reg, "item_id", (long) i,
            "list", (long) (100 + i)));
      }
    }
    RulesTestSupport.upsert(store, "price", prices);
    List<Map<String, Object>> sales = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      Map<String, Object> s = new HashMap<>();
      s.put("_id", "x" + i);
      int st = r.nextInt(50); // 40..49: no such store
      if (st < 45) {
        s.put("store_id", (long) st);
      } // else missing: a null key
      s.put("day_id", 20200101L + r.nextInt(110));
      s.put("item_id", (long) r.nextInt(32));
      s.put("region", regions[r.nextInt(4)]);
      s.put("qty", (long) (1 + r.nextInt(9)));
      s.put("amount", (long) r.nextInt(1000));
      sales.add(s);
    }
    RulesTestSupport.upsert(store, "sales", sales);
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

  private static final String STAR = "select d.yr, st.region, sum(s.amount) as revenue,"
      + " count(*) as n from sales s, cal d, store st, item i"
      + " where s.day_id = d.day_id and s.store_id = st.store_id and s.item_id = i.item_id"
      + " and st.region = 'north' and d.yr = 2021 and i.brand_id < 3"
      + " group by d.yr, st.region";

  @Test
  void aStarQueryRunsAsOneStarJoinOverTheFactTable() throws SQLException {
    String plan = plan(STAR);
    assertTrue(plan.contains("star=[fact sales probes"), plan);
    // few store keys (region north: 10 of 40) narrow the fact rows in the index first
    assertTrue(plan.contains("index semi-join on"), plan);
    assertTrue(plan.contains("ConvergeHashJoin"), plan);
    assertFalse(plan.contains("MergeJoin"), plan);
    assertFalse(plan.contains("EnumerableSort"), plan);
    // the fact table is read once, at the bottom of the left spine
    assertEquals(1, plan.split("table=\\[\\[converge, sales]]", -1).length - 1, plan);
    assertSameRows(STAR);
  }

  @Test
  void anAggregateOverAStarIsFoldedInStorage() throws SQLException {
    String plan = plan(STAR);
    assertTrue(plan.contains("ConvergeStarAggregate"), plan);
    assertTrue(plan.contains("star=[folded in storage: fact sales probes"), plan);
    // fact and dimension group keys, sums of products and differences, extremes, counts
    String sql = "select s.region, d.mon, st.city, sum(s.amount * s.qty) as a,"
        + " sum(s.amount - s.qty) as b, min(s.amount), max(s.qty), count(s.store_id), count(*)"
        + " from sales s, cal d, store st"
        + " where s.day_id = d.day_id and s.store_id = st.store_id and d.yr = 2020"
        + " group by s.region, d.mon, st.city";
    plan = plan(sql);
    assertTrue(plan.contains("star=[folded in storage"), plan);
    assertSameRows(sql);
    assertSameRows("select sum(s.amount), count(*) from sales s, cal d, store st"
        + " where s.day_id = d.day_id and s.store_id = st.store_id and st.region = 'south'"
        + " and s.qty > 4");
    assertSameRows("select d.yr, count(*) from sales s join cal d on s.day_id = d.day_id"
        + " group by d.yr");
  }

  @Test
  void aStarAggregateOverDuplicateDimensionKeysIsCalcites() throws SQLException {
    // item ids 0..5 appear twice: the fold cannot join a fact row to two rows, so this runs
    // as Calcite's aggregate over the star join, and counts each sale once per matching item
    String sql = "select i.brand_id, count(*), sum(s.amount) from sales s, item i"
        + " where s.item_id = i.item_id group by i.brand_id";
    assertTrue(plan(sql).contains("star=[folded in storage"), plan(sql));
    assertSameRows(sql);
  }

  @Test
  void aStarJoinReturnsTheRowsOfCalcitesJoins() throws SQLException {
    assertSameRows("select s._id, s.qty, st.city, d.mon, i.name from sales s"
        + " join store st on s.store_id = st.store_id join cal d on s.day_id = d.day_id"
        + " join item i on s.item_id = i.item_id where s.qty > 5");
    assertSameRows("select st.city, i.name, sum(s.qty) from sales s, store st, item i"
        + " where s.store_id = st.store_id and s.item_id = i.item_id group by st.city, i.name");
  }

  @Test
  void nullAndDanglingForeignKeysMatchNothing() throws SQLException {
    String sql = "select count(*), sum(s.amount) from sales s join store st"
        + " on s.store_id = st.store_id";
    assertTrue(plan(sql).contains("star=[fact sales probes store_id"), plan(sql));
    assertSameRows(sql);
    assertSameRows("select s._id, st.store_id from sales s, store st"
        + " where s.store_id = st.store_id and s.qty = 3");
  }

  @Test
  void duplicateDimensionKeysJoinEveryMatch() throws SQLException {
    // item ids 0..5 appear twice in item: those sales join two rows each
    String sql = "select s._id, i.name, st.city from sales s, item i, store st"
        + " where s.item_id = i.item_id and s.store_id = st.store_id and i.item_id < 8";
    assertTrue(plan(sql).contains("star=["), plan(sql));
    assertSameRows(sql);
  }

  @Test
  void aTwoColumnKeyJoinsOnBothColumns() throws SQLException {
    String sql = "select s._id, p.list from sales s join price p"
        + " on s.region = p.region and s.item_id = p.item_id";
    assertTrue(plan(sql).contains("star=[fact sales probes"), plan(sql));
    assertSameRows(sql);
  }

  @Test
  void anEmptyDimensionJoinsNothing() throws SQLException {
    assertSameRows("select count(*) from sales s, store st where s.store_id = st.store_id"
        + " and st.region = 'nowhere'");
    assertSameRows("select s._id from sales s, store st, cal d where s.store_id = st.store_id"
        + " and s.day_id = d.day_id and d.yr = 1999");
  }

  @Test
  void aSnowflakeJoinStillReturnsCalcitesRows() throws SQLException {
    // brand joins item, not the fact table: that join is Calcite's, the rest may be a star
    String sql = "select b.label, sum(s.amount) from sales s, item i, brand b, store st"
        + " where s.item_id = i.item_id and i.brand_id = b.brand_id"
        + " and s.store_id = st.store_id and st.region <> 'west' group by b.label";
    assertSameRows(sql);
  }

  @Test
  void outerAndNonEquiJoinsKeepCalcitesJoins() throws SQLException {
    String left = "select s._id, st.city from sales s left join store st"
        + " on s.store_id = st.store_id where s.qty = 2";
    assertFalse(plan(left).contains("ConvergeHashJoin"), plan(left));
    assertSameRows(left);
    String theta = "select count(*) from store a join store b on a.store_id < b.store_id";
    assertSameRows(theta);
  }

  @Test
  void aFactFilterInTheIndexNarrowsTheStar() throws SQLException {
    String sql = "select d.mon, sum(s.amount) from sales s join cal d on s.day_id = d.day_id"
        + " where s.qty = 7 group by d.mon";
    String plan = plan(sql);
    assertTrue(plan.contains("star=[fact sales probes day_id"), plan);
    assertSameRows(sql);
    // a prepared statement binds the fact filter's parameter at each execution
    try (var ps = on.prepareStatement("select count(*) from sales s join cal d"
        + " on s.day_id = d.day_id where s.qty = ?");
        var po = off.prepareStatement("select count(*) from sales s join cal d"
            + " on s.day_id = d.day_id where s.qty = ?")) {
      for (long q = 1; q <= 3; q++) {
        ps.setLong(1, q);
        po.setLong(1, q);
        assertEquals(RulesTestSupport.rows(po.executeQuery()),
            RulesTestSupport.rows(ps.executeQuery()));
      }
    }
  }

  // Whole plans: the EXPLAIN text from the root to the scans.

  /** Asserts a query's whole EXPLAIN text, one string per line. */
  private void assertPlan(String sql, String... lines) throws SQLException {
    assertEquals(String.join("\n", lines) + "\n", plan(sql), sql);
  }

  @Test
  void wholePlanOfAStarAggregate() throws SQLException {
    assertPlan(STAR,
        "EnumerableCalc(expr#0..2=[{inputs}], expr#3=['north':VARCHAR], "
            + "expr#4=[CAST($t3):VARCHAR], yr=[$t0], region=[$t4], revenue=[$t1], n=[$t2])",
        "  ConvergeStarAggregate(group=[{5}], revenue=[SUM($0)], n=[COUNT()], star=[folded in "
            + "storage: fact sales probes store_id day_id item_id; index semi-join on store_id "
            + "day_id item_id (up to 256 keys in all); group [yr], SUM(amount), COUNT(*)])",
        "    ConvergeHashJoin(condition=[=($2, $9)], joinType=[inner], star=[fact sales probes "
            + "store_id day_id item_id; index semi-join on store_id day_id item_id (up to 256 "
            + "keys in all)])",
        "      EnumerableCalc(expr#0..7=[{inputs}], proj#0..3=[{exprs}], day_id0=[$t6], yr=[$t7], "
            + "region=[$t4], store_id0=[$t5])",
        "        ConvergeHashJoin(condition=[=($1, $6)], joinType=[inner], star=[fact sales "
            + "probes store_id day_id; index semi-join on store_id day_id (up to 256 keys in "
            + "all)])",
        "          ConvergeHashJoin(condition=[=($3, $5)], joinType=[inner], star=[fact sales "
            + "probes store_id; index semi-join on store_id (up to 256 keys in all)])",
        "            ConvergeToEnumerableConverter",
        "              ConvergeTableScan(table=[[converge, sales]], columns=[[amount, day_id, "
            + "item_id, store_id]])",
        "            EnumerableCalc(expr#0..1=[{inputs}], expr#2=['north':VARCHAR], "
            + "expr#3=[=($t0, $t2)], proj#0..1=[{exprs}], $condition=[$t3])",
        "              ConvergeToEnumerableConverter",
        "                ConvergeTableScan(table=[[converge, store]], columns=[[region, "
            + "store_id]])",
        "          EnumerableCalc(expr#0..1=[{inputs}], expr#2=[2021:BIGINT], expr#3=[=($t1, "
            + "$t2)], proj#0..1=[{exprs}], $condition=[$t3])",
        "            ConvergeToEnumerableConverter",
        "              ConvergeTableScan(table=[[converge, cal]], columns=[[day_id, yr]])",
        "      EnumerableCalc(expr#0..1=[{inputs}], expr#2=[3:BIGINT], expr#3=[<($t0, $t2)], "
            + "proj#0..1=[{exprs}], $condition=[$t3])",
        "        ConvergeToEnumerableConverter",
        "          ConvergeTableScan(table=[[converge, item]], columns=[[brand_id, item_id]])");
  }

  @Test
  void wholePlanOfAStarJoin() throws SQLException {
    String sql = "select s._id, st.city, d.mon from sales s, store st, cal d"
        + " where s.store_id = st.store_id and s.day_id = d.day_id and st.region = 'north'"
        + " and s.qty = 7";
    assertPlan(sql,
        "EnumerableCalc(expr#0..8=[{inputs}], _id=[$t0], city=[$t4], mon=[$t8])",
        "  ConvergeHashJoin(condition=[=($1, $7)], joinType=[inner], star=[fact sales probes "
            + "store_id day_id; index semi-join on store_id day_id (up to 256 keys in all)])",
        "    ConvergeHashJoin(condition=[=($3, $6)], joinType=[inner], star=[fact sales probes "
            + "store_id; index semi-join on store_id (up to 256 keys in all)])",
        "      ConvergeToEnumerableConverter",
        "        ConvergeIndexFilter(table=[[converge, sales]], columns=[[_id, day_id, qty, "
            + "store_id]], condition=[qty = 7])",
        "      EnumerableCalc(expr#0..2=[{inputs}], expr#3=['north':VARCHAR], expr#4=[=($t1, "
            + "$t3)], proj#0..2=[{exprs}], $condition=[$t4])",
        "        ConvergeToEnumerableConverter",
        "          ConvergeTableScan(table=[[converge, store]], columns=[[city, region, "
            + "store_id]])",
        "    ConvergeToEnumerableConverter",
        "      ConvergeTableScan(table=[[converge, cal]], columns=[[day_id, mon]])");
    assertSameRows(sql);
  }
}
