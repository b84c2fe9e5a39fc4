package io.converge.cluster.aggregator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.converge.cluster.log.KeyPartitioner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning tests against real shards: 3,000 orders and 50 customers split by
 * {@link KeyPartitioner} over the partitions a subclass loads ({@link #load(int, int)}) held by
 * its leaves ({@link TestLeafCluster}); a reference store holds every document in one process.
 * Connections: {@link #reference} (one process), {@link #distributed} (pushdown) and
 * {@link #gatherOnly} ({@code distributed=false}).
 */
abstract class ClusterPlanFixture {
  static final int ORDERS = 3_000;
  static int partitions;
  static int leaves;

  @TempDir
  static Path dir;
  static TestLeafCluster cluster;
  static Connection reference;
  static Connection distributed;
  static Connection gatherOnly;

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

  static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append('\n');
    }
    return b.toString();
  }
}
