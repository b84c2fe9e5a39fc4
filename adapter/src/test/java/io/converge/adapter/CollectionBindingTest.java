package io.converge.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One statement planned once and executed over several shards, as a cluster leaf does. */
class CollectionBindingTest {
  @TempDir
  Path dir;
  ConvergeStore store;
  Connection conn;
  CollectionBinding binding;
  ConvergeCollection a;
  ConvergeCollection b;

  @BeforeEach
  void setUp() throws Exception {
    store = ConvergeStore.open(dir);
    ConvergeTestSupport.write(store, "shard#0",
        "{\"_id\":\"a1\",\"status\":\"shipped\",\"qty\":2}",
        "{\"_id\":\"a2\",\"status\":\"pending\",\"qty\":7}");
    ConvergeTestSupport.write(store, "shard#1",
        "{\"_id\":\"b1\",\"status\":\"shipped\",\"qty\":5}",
        "{\"_id\":\"b2\",\"status\":\"shipped\",\"qty\":1}",
        "{\"_id\":\"b3\",\"status\":\"lost\",\"qty\":4}");
    a = store.collection("shard#0");
    b = store.collection("shard#1");
    binding = CollectionBinding.rebindable(a);
    Class.forName("org.apache.calcite.jdbc.Driver");
    conn = DriverManager.getConnection("jdbc:calcite:" + ConvergeJdbc.SETTINGS, new Properties());
    CalciteConnection calcite = conn.unwrap(CalciteConnection.class);
    ConvergeTable table = ConvergeTable.over(binding, b.schema());
    calcite.getRootSchema().add(ConvergeJdbc.SCHEMA, new AbstractSchema() {
      @Override
      protected Map<String, Table> getTableMap() {
        return Map.of("orders", table);
      }
    });
    calcite.setSchema(ConvergeJdbc.SCHEMA);
  }

  @AfterEach
  void tearDown() throws SQLException {
    conn.close();
    store.close();
  }

  @Test
  void oneStatementReadsWhicheverShardIsBound() throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("select count(*), sum(qty) from orders"
        + " where status = 'shipped'")) {
      assertEquals(List.of("1, 2"), rows(ps));
      binding.bind(b);
      assertEquals(List.of("2, 6"), rows(ps));
      binding.bind(a);
      assertEquals(List.of("1, 2"), rows(ps));
    }
  }

  @Test
  void rowsAndLookupsComeFromTheBoundShard() throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(
        "select \"_id\" from orders where \"_id\" = ? or qty > 3 order by \"_id\"")) {
      ps.setString(1, "b1");
      binding.bind(b);
      assertEquals(List.of("b1", "b3"), rows(ps));
      binding.bind(a);
      assertEquals(List.of("a2"), rows(ps));
    }
  }

  @Test
  void anUnboundTableFailsClearlyAndAFixedOneCannotBeRebound() throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("select count(*) from orders")) {
      binding.clear();
      SQLException e = assertThrows(SQLException.class, () -> rows(ps));
      assertTrue(String.valueOf(e.getCause()).contains("without a bound shard")
          || e.getMessage().contains("without a bound shard"), e::getMessage);
    }
    CollectionBinding fixed = CollectionBinding.fixed(a);
    assertThrows(IllegalStateException.class, () -> fixed.bind(b));
    fixed.clear();
    assertEquals("shard#0", fixed.collection().name());
  }

  private static List<String> rows(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return ConvergeTestSupport.rows(rs);
    }
  }
}
