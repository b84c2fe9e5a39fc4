package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.adapter.ConvergeJdbc;
import io.converge.storage.ConvergeStore;
import io.converge.storage.guard.QueryRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Statement timeouts and cancel stop long queries, embedded (a Calcite connection in this JVM)
 * and through the Avatica remote driver, and the server keeps serving afterwards.
 *
 * <p>The long query is a filtered cross join of {@value #ROWS} generated documents with
 * themselves: {@value #ROWS}² = 1.6 billion pairs evaluated by Calcite over Converge scans,
 * minutes of work on two cores. Tests assert that it ends in the right error, never how fast.
 */
class QueryTimeoutTest {
  static final int ROWS = 40_000;
  static final String LONG_QUERY =
      "select count(*) from big a, big b where a.n * b.n = -1 and a.tag <> b.tag";

  @RegisterExtension
  static final ConvergeServerExtension SERVER =
      ConvergeServerExtension.withTestData().and(QueryTimeoutTest::writeBig);

  static void writeBig(ConvergeStore store) {
    List<Map<String, Object>> docs = new ArrayList<>(ROWS);
    for (int i = 0; i < ROWS; i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "b" + i);
      d.put("n", (long) i);
      d.put("tag", "t" + (i % 97));
      docs.add(d);
    }
    TestData.upsert(store.getOrCreate("big"), docs);
  }

  private Connection embedded() throws SQLException {
    return DriverManager.getConnection(ConvergeJdbc.url(SERVER.dataDir()));
  }

  private Connection remote(Integer timeoutSeconds) throws SQLException {
    Properties info = new Properties();
    if (timeoutSeconds != null) {
      info.setProperty("queryTimeout", timeoutSeconds.toString());
    }
    return SERVER.connect(info);
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  /** The message of an exception and of its causes, for asserting on what the user sees. */
  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      b.append(c.getMessage()).append(" | ");
    }
    return b.toString();
  }

  @Test
  void embeddedSetQueryTimeoutStopsALongCrossJoin() throws Exception {
    try (Connection c = embedded(); Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rs = s.executeQuery(LONG_QUERY)) {
          rs.next();
        }
      });
      assertTrue(messages(e).contains("query timed out"), messages(e));
      assertEquals(ROWS, count(c, "select count(*) from big"));
    }
  }

  @Test
  void embeddedCancelFromAnotherThreadStopsALongCrossJoin() throws Exception {
    try (Connection c = embedded(); Statement s = c.createStatement()) {
      CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
        try {
          waitUntilRunning();
          s.cancel();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rs = s.executeQuery(LONG_QUERY)) {
          rs.next();
        }
      });
      canceller.get(60, TimeUnit.SECONDS);
      assertTrue(messages(e).toLowerCase().contains("cancel"), messages(e));
      assertEquals(ROWS, count(c, "select count(*) from big"));
    }
  }

  @Test
  void remoteConnectionTimeoutStopsALongCrossJoinAndTheServerKeepsServing() throws Exception {
    try (Connection c = remote(1); Statement s = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rs = s.executeQuery(LONG_QUERY)) {
          rs.next();
        }
      });
      assertTrue(messages(e).contains("query timed out"), messages(e));
      assertTrue(messages(e).contains("HYT00") || "HYT00".equals(e.getSQLState()), messages(e));
      // the same connection and a new one both keep working
      assertEquals(ROWS, count(c, "select count(*) from big"));
    }
    try (Connection c = remote(null)) {
      assertEquals(ROWS, count(c, "select count(*) from big"));
    }
  }

  @Test
  void remotePreparedStatementUnderTheServerDefaultTimeout() throws Exception {
    SERVER.server().meta().defaultQueryTimeoutSeconds(1);
    try (Connection c = remote(null);
        java.sql.PreparedStatement ps = c.prepareStatement(LONG_QUERY)) {
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
        }
      });
      assertTrue(messages(e).contains("query timed out"), messages(e));
    } finally {
      SERVER.server().meta().defaultQueryTimeoutSeconds(0);
    }
    try (Connection c = remote(null)) {
      assertEquals(ROWS, count(c, "select count(*) from big"));
    }
  }

  @Test
  void remoteConnectionClosedFromAnotherThreadCancelsItsRunningQuery() throws Exception {
    Connection c = remote(null);
    Statement s = c.createStatement();
    CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
      try {
        waitUntilRunning();
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    SQLException e = assertThrows(SQLException.class, () -> {
      try (ResultSet rs = s.executeQuery(LONG_QUERY)) {
        rs.next();
      }
    });
    closer.get(60, TimeUnit.SECONDS);
    assertTrue(messages(e).contains("query canceled"), messages(e));
    try (Connection again = remote(null)) {
      assertEquals(ROWS, count(again, "select count(*) from big"));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (SERVER.server().meta().runningStatements() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, SERVER.server().meta().runningStatements());
  }

  /** Waits until some query of this JVM has a Converge scan open (the long query started). */
  private static void waitUntilRunning() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (QueryRegistry.global().running().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the long query never started");
      }
      Thread.sleep(10);
    }
    Thread.sleep(200);
  }
}
