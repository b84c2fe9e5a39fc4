package io.converge.adapter;

import static io.converge.adapter.ConvergeTestSupport.query;
import static io.converge.adapter.ConvergeTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ways to connect: {@link ConvergeJdbc}, a model file, odd directory names. */
class ConvergeConnectionTest {
  @TempDir
  Path tmp;

  @Test
  void modelFileWithARelativeDataDirectoryConnects() throws Exception {
    Path dir = tmp.resolve("data");
    write(ConvergeSchemaFactory.store(dir), "orders", "{\"_id\":\"o1\",\"status\":\"new\"}");
    String relative = Paths.get("").toAbsolutePath().relativize(dir.toAbsolutePath()).toString();
    Path model = tmp.resolve("model.json");
    Files.writeString(model, """
        {
          "version": "1.0",
          "defaultSchema": "converge",
          "schemas": [{
            "name": "converge",
            "type": "custom",
            "factory": "io.converge.adapter.ConvergeSchemaFactory",
            "cache": false,
            "operand": {"dataDir": %s}
          }]
        }
        """.formatted(ConvergeJdbc.jsonString(relative)), StandardCharsets.UTF_8);
    try (Connection c = DriverManager.getConnection("jdbc:calcite:model=" + model
        + ";unquotedCasing=UNCHANGED;caseSensitive=false")) {
      assertEquals(List.of("o1, new"), query(c, "select _id, status from orders"));
      // Same directory, same open store: the model's schema sees writes made through it.
      write(ConvergeSchemaFactory.store(dir), "orders", "{\"_id\":\"o2\",\"status\":\"old\"}");
      assertEquals(List.of("2"), query(c, "select count(*) from converge.orders"));
    } finally {
      ConvergeSchemaFactory.release(dir);
    }
  }

  @Test
  void urlWorksForADirectoryNameWithQuotesAndSemicolons() throws SQLException {
    Path dir = tmp.resolve("it's; a \"data\" dir");
    write(ConvergeSchemaFactory.store(dir), "t", "{\"_id\":\"1\",\"v\":true}");
    try (Connection c = ConvergeJdbc.connect(dir)) {
      assertEquals(List.of("1, true"), query(c, "select _id, v from t"));
    } finally {
      ConvergeSchemaFactory.release(dir);
    }
  }

  @Test
  void connectionsToOneDirectoryShareOneStore() throws SQLException {
    Path dir = tmp.resolve("shared");
    try (Connection a = ConvergeJdbc.connect(dir); Connection b = ConvergeJdbc.connect(dir)) {
      ConvergeSchema sa = a.unwrap(org.apache.calcite.jdbc.CalciteConnection.class).getRootSchema()
          .getSubSchema(ConvergeJdbc.SCHEMA).unwrap(ConvergeSchema.class);
      ConvergeSchema sb = b.unwrap(org.apache.calcite.jdbc.CalciteConnection.class).getRootSchema()
          .getSubSchema(ConvergeJdbc.SCHEMA).unwrap(ConvergeSchema.class);
      assertSame(sa.store(), sb.store());
      assertSame(ConvergeSchemaFactory.store(dir), sa.store());
    } finally {
      ConvergeSchemaFactory.release(dir);
    }
  }

  @Test
  void modelWithoutDataDirIsRejectedWithAClearMessage() {
    // Calcite wraps a schema factory's exception in a RuntimeException while reading the model.
    Exception e = assertThrows(Exception.class, () -> DriverManager.getConnection(
        "jdbc:calcite:model=inline:{\"version\":\"1.0\",\"schemas\":[{\"name\":\"c\","
            + "\"type\":\"custom\",\"factory\":\"io.converge.adapter.ConvergeSchemaFactory\","
            + "\"operand\":{}}]}"));
    Throwable t = e;
    StringBuilder messages = new StringBuilder();
    while (t != null) {
      messages.append(t.getMessage()).append('\n');
      t = t.getCause();
    }
    assertTrue(messages.toString().contains("operand 'dataDir'"), messages.toString());
  }

  @Test
  void urlNamesTheSettingsEveryConnectionNeeds() {
    String url = ConvergeJdbc.url(Paths.get("/data/demo"));
    assertTrue(url.startsWith("jdbc:calcite:model='inline:{"), url);
    assertTrue(url.endsWith(";unquotedCasing=UNCHANGED;caseSensitive=false;"
        + "typeSystem=io.converge.adapter.ConvergeTypeSystem;defaultSchema=converge;"
        + "parserFactory=io.converge.adapter.ddl.ConvergeSqlParserImpl#FACTORY"), url);
    assertTrue(url.contains("\"dataDir\":\"/data/demo\""), url);
    assertTrue(url.contains("\"cache\":false"), url);
  }

  @Test
  void directoryOpenedExclusivelyElsewhereIsRefusedWithAClearMessage() {
    Path dir = tmp.resolve("locked");
    try (io.converge.storage.ConvergeStore exclusive = io.converge.storage.ConvergeStore.open(dir)) {
      SQLException e = assertThrows(SQLException.class, () -> ConvergeJdbc.connect(dir));
      Throwable t = e;
      StringBuilder messages = new StringBuilder();
      while (t != null) {
        messages.append(t.getMessage()).append('\n');
        t = t.getCause();
      }
      // the storage message: opened exclusively here, so "already open in this process"
      // (another process's lock reads "is in use by another process")
      assertTrue(messages.toString().contains("is already open in this process"),
          messages.toString());
    }
  }
}
