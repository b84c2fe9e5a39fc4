package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several clients at once, each with its own connection and its own connection state. */
class ConcurrencyTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  static final int CLIENTS = 6;
  static final int ROUNDS = 15;
  static ExecutorService pool;

  @BeforeAll
  static void startPool() {
    pool = Executors.newFixedThreadPool(CLIENTS);
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(30, TimeUnit.SECONDS);
  }

  /** Runs one task per client, all released together, and returns their results in order. */
  private static <T> List<T> together(List<Callable<T>> tasks) throws Exception {
    CyclicBarrier start = new CyclicBarrier(tasks.size());
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> t : tasks) {
      futures.add(pool.submit(() -> {
        start.await(60, TimeUnit.SECONDS);
        return t.call();
      }));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get(120, TimeUnit.SECONDS));
    }
    return results;
  }

  @Test
  void clientsRunningQueriesAtOnceAllGetCorrectResults() throws Exception {
    List<Callable<String>> tasks = new ArrayList<>();
    for (int client = 0; client < CLIENTS; client++) {
      int c = client;
      tasks.add(() -> {
        try (Connection conn = SERVER.connect()) {
          for (int round = 0; round < ROUNDS; round++) {
            String status = TestData.STATUSES[(c + round) % 4];
            assertEquals(75L, Sql.scalar(conn,
                "select count(*) from orders where status = '" + status + "'"));
            assertEquals(List.of(Sql.row("o" + (c * 10 + round + 1),
                    TestData.order(c * 10 + round + 1).get("amount"))),
                Sql.rows(conn, "select \"_id\", amount from orders where \"_id\" = 'o"
                    + (c * 10 + round + 1) + "'"));
            assertEquals(60L, Sql.scalar(conn, "select count(*) from orders o join customers cu"
                + " on o.\"customer.id\" = cu.\"_id\" where cu.country = '"
                + TestData.COUNTRIES[c % 5] + "'"));
          }
        }
        return "ok";
      });
    }
    assertEquals(List.of("ok", "ok", "ok", "ok", "ok", "ok"), together(tasks));
  }

  @Test
  void eachConnectionKeepsItsOwnMaxRows() throws Exception {
    List<Callable<List<Integer>>> tasks = new ArrayList<>();
    for (int client = 0; client < CLIENTS; client++) {
      int maxRows = 10 + client * 7;
      tasks.add(() -> {
        List<Integer> counts = new ArrayList<>();
        try (Connection conn = SERVER.connect(); Statement s = conn.createStatement()) {
          s.setMaxRows(maxRows);
          for (int round = 0; round < ROUNDS; round++) {
            try (ResultSet rs = s.executeQuery("select \"_id\" from orders")) {
              counts.add((int) Sql.count(rs));
            }
          }
        }
        return counts;
      });
    }
    List<List<Integer>> results = together(tasks);
    for (int client = 0; client < CLIENTS; client++) {
      assertEquals(java.util.Collections.nCopies(ROUNDS, 10 + client * 7), results.get(client),
          "client " + client);
    }
  }

  @Test
  void eachConnectionKeepsItsOwnSchema() throws Exception {
    List<Callable<String>> tasks = new ArrayList<>();
    for (int client = 0; client < CLIENTS; client++) {
      boolean metadata = client % 2 == 0;
      tasks.add(() -> {
        try (Connection conn = SERVER.connect()) {
          if (metadata) {
            conn.setSchema("metadata");
          } else {
            conn.setSchema("converge");
          }
          for (int round = 0; round < ROUNDS; round++) {
            if (metadata) {
              assertEquals("metadata", conn.getSchema());
              long tables = (Long) Sql.scalar(conn, "select count(*) from \"TABLES\""
                  + " where \"tableSchem\" = 'converge'");
              assertEquals(2L, tables);
            } else {
              assertEquals("converge", conn.getSchema());
              assertEquals(300L, Sql.scalar(conn, "select count(*) from orders"));
            }
          }
        }
        return metadata ? "metadata" : "converge";
      });
    }
    assertEquals(List.of("metadata", "converge", "metadata", "converge", "metadata",
        "converge"), together(tasks));
  }

  @Test
  void aConnectionClosedByOneClientDoesNotDisturbAnother() throws SQLException {
    try (Connection a = SERVER.connect(); Connection b = SERVER.connect()) {
      assertEquals(300L, Sql.scalar(a, "select count(*) from orders"));
      a.close();
      assertEquals(20L, Sql.scalar(b, "select count(*) from customers"));
    }
  }
}
