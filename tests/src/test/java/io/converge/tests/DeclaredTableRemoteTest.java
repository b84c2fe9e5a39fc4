package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CREATE / DROP TABLE and declared tables through the Avatica remote driver and HTTP ingest. */
class DeclaredTableRemoteTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  private static void run(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static List<String> columns(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> out = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        out.add(md.getColumnName(i) + " " + md.getColumnTypeName(i));
      }
      return out;
    }
  }

  private static HttpResponse<String> post(String collection, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        SERVER.server().apiUrl() + "/collections/" + collection + "/docs"))
        .header("Content-Type", "application/x-ndjson").timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void createInsertSelectDropAndRecreateThroughTheRemoteDriver() throws SQLException {
    try (Connection c = SERVER.connect()) {
      run(c, "CREATE TABLE t1(a INTEGER, b INTEGER, c VARCHAR(30))");
      run(c, "INSERT INTO t1(c, b, a) VALUES('x', 2, 1)");
      run(c, "CREATE INDEX t1i1 ON t1(b, a)");
      assertEquals(List.of(Sql.row(1L, 2L)), Sql.rows(c, "SELECT A, B FROM T1"));
      assertEquals(List.of("a INTEGER", "b INTEGER", "c VARCHAR"), columns(c, "select * from t1"));
      // Same statement texts after a drop and a new table of other columns: planned anew.
      run(c, "DROP TABLE t1");
      run(c, "CREATE TABLE t1(a VARCHAR(5), z DOUBLE)");
      run(c, "INSERT INTO t1(c, b, a) VALUES('x', 2, 1)".replace("(c, b, a)", "(z, a)")
          .replace("'x', 2, 1", "2, 'q'"));
      assertEquals(List.of("a VARCHAR", "z DOUBLE"), columns(c, "select * from t1"));
      assertEquals(List.of(Sql.row("q", 2.0)), Sql.rows(c, "select * from t1"));
      SQLException e = assertThrows(SQLException.class, () -> run(c, "CREATE TABLE T1(q INTEGER)"));
      assertTrue(String.valueOf(e.getMessage()).contains("table 't1' already exists")
          || stackTraces(e).contains("table 't1' already exists"), e.getMessage());
      run(c, "DROP TABLE t1");
      run(c, "DROP TABLE IF EXISTS t1");
    }
  }

  private static String stackTraces(SQLException e) {
    if (e instanceof org.apache.calcite.avatica.AvaticaSqlException a) {
      return String.join("\n", a.getStackTraces());
    }
    return String.valueOf(e.getCause());
  }

  @Test
  void httpDocumentsAreCoercedToTheDeclaredTypesOrRefusedWithA400() throws Exception {
    try (Connection c = SERVER.connect()) {
      run(c, "create table readings(sensor varchar(10) not null, val double, n integer)");
      HttpResponse<String> ok = post("readings",
          "{\"sensor\": \"s1\", \"val\": 3, \"n\": \"12\"}\n{\"sensor\": \"s2\"}\n");
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals(List.of(Sql.row("s1", 3.0, 12L), Sql.row("s2", null, null)),
          Sql.rows(c, "select sensor, val, n from readings order by sensor"));
      HttpResponse<String> bad = post("readings",
          "{\"sensor\": \"s3\", \"n\": 1}\n{\"sensor\": \"s4\", \"n\": \"twelve\"}\n");
      assertEquals(400, bad.statusCode(), bad.body());
      JsonNode body = new ObjectMapper().readTree(bad.body());
      assertTrue(body.path("error").asText().contains(
          "column 'n' (INTEGER) cannot hold 'twelve' (a string)"), bad.body());
      HttpResponse<String> undeclared = post("readings", "{\"sensor\": \"s5\", \"color\": 1}\n");
      assertEquals(400, undeclared.statusCode(), undeclared.body());
      assertTrue(undeclared.body().contains("has no column 'color'"), undeclared.body());
      assertEquals(List.of(Sql.row(2L)), Sql.rows(c, "select count(*) from readings"));
      run(c, "drop table readings");
    }
  }

  @Test
  void starJoinsOverDeclaredIntegerKeysAnswerAsSqlDoes() throws SQLException {
    // sqllogictest's select5 shape: small tables joined on INTEGER keys (the star-join rule
    // narrows the fact rows with the dimension keys, Integer values in SQL).
    try (Connection c = SERVER.connect()) {
      for (int t = 1; t <= 4; t++) {
        run(c, "CREATE TABLE j" + t + "(a" + t + " INTEGER, b" + t + " INTEGER, x" + t
            + " VARCHAR(40))");
        for (int i = 1; i <= 10; i++) {
          run(c, "INSERT INTO j" + t + " VALUES(" + i + ", " + (11 - i) + ", 'table j" + t
              + " row " + i + "')");
        }
      }
      assertEquals(List.of(Sql.row("table j1 row 4", "table j2 row 7", "table j3 row 4",
          "table j4 row 7")), Sql.rows(c, "SELECT x1,x2,x3,x4 FROM j1,j2,j3,j4 "
          + "WHERE a1=b2 AND a2=b3 AND a3=b4 AND a1=4"));
      assertEquals(List.of(Sql.row("table j1 row 4", "table j2 row 7")), Sql.rows(c,
          "SELECT x1,x2 FROM j2,j1 WHERE b2=a1 AND a1=4"));
      for (int t = 1; t <= 4; t++) {
        run(c, "DROP TABLE j" + t);
      }
    }
  }
}
