package io.converge.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.ConvergeStore;
import io.converge.storage.json.JsonDocumentReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo data set loaded into a real store, queried through a Calcite model file. */
class DemoModelTest {
  @TempDir static Path dir;
  static Path dataDir;
  static Path model;

  @BeforeAll
  static void loadDemo() throws IOException {
    dataDir = dir.resolve("demo");
    try (ConvergeStore store = ConvergeStore.open(dataDir)) {
      SampleData.loadDemo(store);
      assertEquals(SampleData.DEMO_ORDERS, store.collection(SampleData.ORDERS).documentCount());
      assertEquals(SampleData.DEMO_CUSTOMERS,
          store.collection(SampleData.CUSTOMERS).documentCount());
    }
    // The committed model with its dataDir pointed at this store.
    String json = Files.readString(Path.of("models/demo.json"))
        .replace("\"data/demo\"", "\"" + dataDir.toAbsolutePath().toString().replace("\\", "/")
            + "\"");
    model = dir.resolve("demo.json");
    Files.writeString(model, json);
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:calcite:model=" + model
        + ";unquotedCasing=UNCHANGED;caseSensitive=false");
  }

  @Test
  void committedModelIsValidJsonForTheDemoDirectory() throws IOException {
    // One line, so the NDJSON-or-array reader sees one document.
    String oneLine = Files.readString(Path.of("models/demo.json")).replace('\n', ' ');
    try (InputStream in = new ByteArrayInputStream(oneLine.getBytes(StandardCharsets.UTF_8))) {
      List<JsonDocumentReader.Entry> entries = JsonDocumentReader.readAll(in);
      assertEquals(1, entries.size());
      Map<String, Object> m = entries.get(0).document();
      assertEquals("converge", m.get("defaultSchema"));
      @SuppressWarnings("unchecked")
      Map<String, Object> schema = ((List<Map<String, Object>>) m.get("schemas")).get(0);
      assertEquals("io.converge.adapter.ConvergeSchemaFactory", schema.get("factory"));
      assertEquals(Map.of("dataDir", "data/demo"), schema.get("operand"));
      assertEquals(Boolean.FALSE, schema.get("cache"));
    }
  }

  @Test
  void loadingAgainLeavesTheDataAsItIs() {
    try (ConvergeStore store = ConvergeStore.open(dir.resolve("again"))) {
      SampleData.loadDemo(store);
      SampleData.loadDemo(store);
      assertEquals(SampleData.DEMO_ORDERS, store.collection(SampleData.ORDERS).documentCount());
    }
  }

  @Test
  void countsAllOrders() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from orders")) {
      assertTrue(rs.next());
      assertEquals(100_000L, rs.getLong(1));
    }
  }

  @Test
  void groupsOrdersByStatusAsGenerated() throws SQLException {
    Map<String, Long> expectedCount = new HashMap<>();
    Map<String, Double> expectedSum = new HashMap<>();
    SampleData.orders(SampleData.DEMO_ORDERS, SampleData.DEMO_SEED).forEachRemaining(o -> {
      expectedCount.merge((String) o.get("status"), 1L, Long::sum);
      expectedSum.merge((String) o.get("status"), (Double) o.get("amount"), Double::sum);
    });
    Map<String, Long> counts = new HashMap<>();
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "select status, count(*) as n, sum(amount) as total from orders group by status")) {
      while (rs.next()) {
        String status = rs.getString(1);
        counts.put(status, rs.getLong(2));
        double expected = expectedSum.get(status);
        assertEquals(expected, rs.getDouble(3), Math.abs(expected) * 1e-9, status);
      }
    }
    assertEquals(expectedCount, counts);
  }

  @Test
  void joinsOrdersToTheirCustomers() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*), "
            + "sum(case when o.\"customer.country\" = cu.country then 1 else 0 end) "
            + "from orders o join customers cu on o.\"customer.id\" = cu._id")) {
      assertTrue(rs.next());
      assertEquals(100_000L, rs.getLong(1));
      assertEquals(100_000L, rs.getLong(2));
      assertFalse(rs.next());
    }
  }
}
