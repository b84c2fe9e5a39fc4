package io.converge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.AvaticaSqlException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A real server on a free loopback port over a temporary data directory. */
class ConvergeServerTest {
  private static final String GROUP_BY_STATUS = "select status, count(*) as n, sum(amount) as total"
      + " from orders group by status order by status";

  @TempDir
  Path dataDir;

  private ConvergeServer server;

  private ConvergeServer start(String serialization, int events) throws Exception {
    TestDocuments.write(dataDir, events);
    server = ConvergeServer.start(ServerOptions.of(dataDir).withPort(0)
        .withSerialization(serialization));
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(server.jdbcUrl());
  }

  private static List<String> rows(ResultSet rs) throws SQLException {
    List<String> rows = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      StringBuilder row = new StringBuilder();
      for (int i = 1; i <= n; i++) {
        row.append(i > 1 ? "," : "").append(rs.getObject(i));
      }
      rows.add(row.toString());
    }
    return rows;
  }

  @ParameterizedTest
  @ValueSource(strings = {"protobuf", "json"})
  void remoteDriverGetsExactResultsInEitherSerialization(String serialization) throws Exception {
    start(serialization, 0);
    assertTrue(server.jdbcUrl().startsWith("jdbc:avatica:remote:url=http://127.0.0.1:"),
        server.jdbcUrl());
    assertTrue(server.jdbcUrl().endsWith(";serialization=" + serialization), server.jdbcUrl());
    assertTrue(server.port() > 0);
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(GROUP_BY_STATUS)) {
      assertEquals(List.of("open,2,15", "shipped,1,25"), rows(rs));
    }
  }

  @Test
  void badSqlReturnsCalcitesMessageAndTheServerKeepsServing() throws Exception {
    start("protobuf", 0);
    try (Connection c = connect()) {
      try (Statement s = c.createStatement()) {
        SQLException e = assertThrows(SQLException.class,
            () -> s.executeQuery("select * from no_such_collection"));
        assertTrue(e.getMessage().contains("Error while executing SQL \"select * from "
            + "no_such_collection\": Remote driver error: "
            + "Object 'no_such_collection' not found (line 1, column 15)"), e.getMessage());
        assertEquals("42S02", e.getSQLState());
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select count(*) from orders")) {
        assertEquals(List.of("3"), rows(rs));
      }
    }
    try (Connection other = connect(); Statement s = other.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from orders")) {
      assertEquals(List.of("3"), rows(rs));
    }
  }

  @Test
  void preparingBadSqlReturnsCalcitesReason() throws Exception {
    start("json", 0);
    try (Connection c = connect()) {
      AvaticaSqlException e = assertThrows(AvaticaSqlException.class,
          () -> c.prepareStatement("select * from orders where nope = ?"));
      // Avatica's client replaces the server's message of a failed prepare with its own
      // "while preparing SQL: ..."; the server's (Calcite's reason) arrives in getStackTraces().
      assertTrue(e.getMessage().contains("while preparing SQL"), e.getMessage());
      assertEquals("42S22", e.getSQLState());
      assertTrue(String.join("\n", e.getStackTraces()).contains(
          "Column 'nope' not found in any table (line 1, column 28)"),
          String.join("\n", e.getStackTraces()));
      try (var ps = c.prepareStatement("select count(*) from orders where amount > ?")) {
        ps.setLong(1, 6);
        try (ResultSet rs = ps.executeQuery()) {
          assertEquals(List.of("2"), rows(rs));
        }
      }
    }
  }

  @Test
  void plainStatementsReusePlansUntilTheSchemaChanges() throws Exception {
    start("protobuf", 50);
    try (Connection c = connect()) {
      long hits = StatementPlanCache.HITS.get();
      long misses = StatementPlanCache.MISSES.get();
      for (int i = 0; i < 3; i++) {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("select count(*) from events")) {
          assertEquals(List.of("50"), rows(rs));
        }
      }
      assertEquals(misses + 1, StatementPlanCache.MISSES.get(), "planned once");
      assertEquals(hits + 2, StatementPlanCache.HITS.get(), "then reused");
      // Another default schema: the same text names other tables, so it is planned again.
      String schema = c.getSchema();
      c.setSchema("metadata");
      try (Statement s = c.createStatement()) {
        SQLException e = assertThrows(SQLException.class,
            () -> s.executeQuery("select count(*) from events"));
        assertTrue(e.getMessage().contains("EVENTS") || e.getMessage().contains("events"),
            e.getMessage());
      }
      c.setSchema(schema);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select count(*) from events")) {
        assertEquals(List.of("50"), rows(rs));
      }
      assertEquals(hits + 3, StatementPlanCache.HITS.get(), "the first plan again");
      // Fresh data every time, same plan.
      io.converge.storage.ConvergeCollection events = server.store().collection("events");
      io.converge.storage.json.DocumentPreparer prep = new io.converge.storage.json.DocumentPreparer();
      events.upsert(List.of(prep.prepare(new java.util.HashMap<>(java.util.Map.of("_id", "x1",
          "n", 1L)), 0)));
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select count(*) from events")) {
        assertEquals(List.of("51"), rows(rs));
      }
      // A new field is a new schema version: planned again, and the new column is there.
      events.upsert(List.of(prep.prepare(new java.util.HashMap<>(java.util.Map.of("_id", "x2",
          "brand_new", "yes")), 0)));
      long before = StatementPlanCache.MISSES.get();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select brand_new from events where brand_new is not null")) {
        assertEquals(List.of("yes"), rows(rs));
      }
      assertEquals(before + 1, StatementPlanCache.MISSES.get());
      // Bad SQL still reads as Calcite's error, and DML through a plain statement counts rows.
      try (Statement s = c.createStatement()) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("select nope from events"));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertEquals(1, s.executeUpdate("delete from events where \"_id\" = 'x2'"));
      }
    }
  }

  @Test
  void plainQueriesThatDifferOnlyInComparedLiteralsShareOnePlan() throws Exception {
    start("protobuf", 50);
    try (Connection c = connect()) {
      long misses = StatementPlanCache.MISSES.get();
      long shaped = StatementPlanCache.SHAPED.get();
      for (int i = 0; i < 20; i++) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
            "select n from events where \"_id\" = '" + i + "'")) {
          assertEquals(List.of(Integer.toString(i)), rows(rs));
        }
      }
      assertEquals(misses + 1, StatementPlanCache.MISSES.get(), "one plan for every id");
      assertEquals(shaped + 20, StatementPlanCache.SHAPED.get());
      try (Statement s = c.createStatement()) {
        assertEquals(List.of(), rows(s.executeQuery(
            "select n from events where \"_id\" = 'no such id'")));
        assertEquals(List.of("3,39"), rows(s.executeQuery(
            "select count(*), sum(n) from events where n > 11 and n <= 14")));
        assertEquals(List.of("2,47"), rows(s.executeQuery(
            "select count(*), sum(n) from events where n > 22 and n <= 24")));
        assertEquals(List.of("o1,10", "o3,5"), rows(s.executeQuery(
            "select \"_id\", amount from orders where status in ('open', 'lost')"
                + " order by \"_id\"")));
        assertEquals(List.of("3"), rows(s.executeQuery(
            "select count(*) from orders where amount < 30000000000")));
        // Literals a bound marker would read otherwise: planned with the literals, as before.
        long before = StatementPlanCache.SHAPED.get();
        assertEquals(List.of("0"), rows(s.executeQuery(
            "select count(*) from orders where amount = 10.5")));
        assertEquals(List.of("1"), rows(s.executeQuery(
            "select count(*) from orders where amount = '25'")));
        assertEquals(before, StatementPlanCache.SHAPED.get(), "no shape for these");
      }
    }
  }

  @Test
  void maxRowsIsHonoured() throws Exception {
    start("protobuf", 500);
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.setMaxRows(7);
      try (ResultSet rs = s.executeQuery("select n from events")) {
        assertEquals(7, rows(rs).size());
      }
    }
  }

  @Test
  void withTheDefaultFetchSizeAResultArrivesInFramesSizedByBytes() throws Exception {
    start("protobuf", 50_000);
    try (Connection c = connect(); Statement s = c.createStatement()) {
      long framesBefore = server.meta().framesServed();
      long sum = 0;
      int count = 0;
      try (ResultSet rs = s.executeQuery("select n from events order by n")) {
        while (rs.next()) {
          assertEquals(count, rs.getLong(1));
          sum += rs.getLong(1);
          count++;
        }
      }
      assertEquals(50_000, count);
      assertEquals(50_000L * 49_999 / 2, sum);
      // 100 rows per frame would take 500 round trips; the rows fit one frame's byte budget
      long frames = server.meta().framesServed() - framesBefore;
      assertTrue(frames <= 2, "frames: " + frames);
    }
  }

  @Test
  void anExplicitFetchSizeGetsAtLeastWhatItAsked() throws Exception {
    start("json", 2_500);
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.setFetchSize(2_000);
      long framesBefore = server.meta().framesServed();
      int count = 0;
      try (ResultSet rs = s.executeQuery("select n from events")) {
        while (rs.next()) {
          count++;
        }
      }
      assertEquals(2_500, count);
      assertEquals(1, server.meta().framesServed() - framesBefore, "the first frame fills");
    }
  }

  @Test
  void framesOfHugeRowsStayWithinTheByteBudget() throws Exception {
    start("protobuf", 0);
    server.meta().frameBudgetBytes(256 * 1024);
    String big = "x".repeat(20_000);
    int total = 200;
    try (Connection c = connect(); Statement s = c.createStatement()) {
      long framesBefore = server.meta().framesServed();
      int count = 0;
      // each row is about 20 KB: 13 of them fill 256 KB
      try (ResultSet rs = s.executeQuery("select n, '" + big + "' || cast(n as varchar) as t"
          + " from (values " + valuesList(total) + ") as v(n)")) {
        while (rs.next()) {
          assertEquals(big + rs.getInt(1), rs.getString(2));
          count++;
        }
      }
      assertEquals(total, count);
      long frames = server.meta().framesServed() - framesBefore;
      long rowBytes = 20_000 + 2 * FrameBudget.VALUE_OVERHEAD + 9 + 3;
      long perFrame = 256 * 1024 / rowBytes;
      assertTrue(frames >= total / perFrame, "frames: " + frames);
      assertTrue(frames <= 2 * total / (perFrame / 2), "frames: " + frames);
    }
  }

  private static String valuesList(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i > 0 ? ", " : "").append('(').append(i).append(')');
    }
    return b.toString();
  }

  @Test
  void frameBudgetArithmetic() {
    assertEquals(0, FrameBudget.minimumRows(100, 0), "Avatica's default: bytes decide");
    assertEquals(0, FrameBudget.minimumRows(0, 0));
    assertEquals(500, FrameBudget.minimumRows(500, 100));
    assertEquals(800, FrameBudget.minimumRows(50, 800), "frames double along a long result");
    assertEquals(FrameBudget.MAX_ROWS, FrameBudget.minimumRows(Integer.MAX_VALUE, 0));
    assertEquals(FrameBudget.FIRST_CHUNK_ROWS, ConvergeMeta.firstFrameRows(0),
        "JdbcMeta would send an empty, finished frame");
    assertEquals(FrameBudget.FIRST_CHUNK_ROWS, ConvergeMeta.firstFrameRows(-2),
        "JdbcMeta would read the whole result");
    assertEquals(FrameBudget.FIRST_CHUNK_ROWS, ConvergeMeta.firstFrameRows(40));
    assertEquals(4 + 3 * FrameBudget.VALUE_OVERHEAD + 3 + 9 + 0,
        FrameBudget.rowBytes(new Object[] {"abc", 7L, null}));
    assertEquals(4 + FrameBudget.VALUE_OVERHEAD + 2, FrameBudget.rowBytes(new Object[] {"é"}));
  }

  @Test
  void clientsHaveTheirOwnConnectionState() throws Exception {
    start("protobuf", 1_000);
    try (Connection a = connect(); Connection b = connect();
        Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
      sa.setFetchSize(50);
      try (ResultSet ra = sa.executeQuery("select n from events order by n")) {
        for (int i = 0; i < 120; i++) {
          assertTrue(ra.next());
          assertEquals(i, ra.getLong(1));
        }
        b.close();
        assertTrue(b.isClosed());
        assertFalse(a.isClosed());
        try (Connection c = connect(); Statement sc = c.createStatement();
            ResultSet rc = sc.executeQuery(GROUP_BY_STATUS)) {
          assertEquals(List.of("open,2,15", "shipped,1,25"), rows(rc));
        }
        int i = 120;
        while (ra.next()) {
          assertEquals(i++, ra.getLong(1));
        }
        assertEquals(1_000, i);
      }
    }
  }

  @Test
  void stopReleasesTheDataDirectoryAfterQueries() throws Exception {
    start("protobuf", 0);
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from orders")) {
      assertEquals(List.of("3"), rows(rs));
    }
    server.stop();
    server.stop();
    try (io.converge.storage.ConvergeStore store = io.converge.storage.ConvergeStore.open(dataDir)) {
      assertEquals(3, store.collection("orders").documentCount());
    }
  }
}
