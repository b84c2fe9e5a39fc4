package io.converge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.adapter.ConvergeSchemaFactory;
import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushdown on and pushdown off return the same rows for thousands of random queries over
 * {@link TestCollection} (sealed and in-memory segments, upserts, deletes, nulls, missing values,
 * a mixed-type column, arrays, nested paths). Order-insensitive except under ORDER BY.
 *
 * <p>{@value #LARGE_PERCENT}% of the queries go to {@code t} ({@link TestCollection#ROWS}
 * documents: a sealed segment, an in-memory one, upserts and deletes in both), the rest to
 * {@code s} ({@value #SMALL_ROWS} documents of the same shape, in memory), where a query costs a
 * tenth. The first {@value #DUCKDB_QUERIES} queries DuckDB can express with the same meaning
 * ({@link QueryGenerator.Query#duckdb()}) are also run on {@link DuckDbReference}, which holds the
 * same documents, and must return the same rows as pushdown on.
 * {@code -Dconverge.difftest.queries=20000} runs a longer version;
 * {@code -Dconverge.difftest.seed=N} another sequence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("slow")
class ConvergeDifferentialTest {
  /** Documents in {@code s}, the small (in-memory) collection most queries use. */
  static final int SMALL_ROWS = 4_000;
  /** Share of the queries that go to {@code t} (80,000 documents, sealed and in memory). */
  static final int LARGE_PERCENT = 15;

  /** Queries also compared with DuckDB (the first DuckDB-expressible ones of the sequence). */
  static final int DUCKDB_QUERIES = 200;

  @TempDir static Path dir;
  private Connection on;
  private Connection off;
  private Connection duck;

  @BeforeAll
  void load() throws SQLException {
    ConvergeStore store = ConvergeSchemaFactory.store(dir);
    TestCollection.write(store);
    TestCollection.write(store, "s", SMALL_ROWS);
    on = RulesTestSupport.connect(dir, true);
    off = RulesTestSupport.connect(dir, false);
    duck = DuckDbReference.load(dir.resolve("duck-input"), Map.of("t", TestCollection.ROWS,
        "s", SMALL_ROWS));
  }

  @AfterAll
  void close() throws SQLException {
    on.close();
    off.close();
    duck.close();
    ConvergeSchemaFactory.release(dir);
  }

  @Test
  void pushdownOnAndOffReturnTheSameRows() throws SQLException {
    int queries = Integer.getInteger("converge.difftest.queries", 2_000);
    long seed = Long.getLong("converge.difftest.seed", 20_261_125L);
    QueryGenerator gen = new QueryGenerator(seed);
    List<String> mismatches = new ArrayList<>();
    Map<String, Integer> paths = new TreeMap<>();
    int bothFailed = 0;
    int duckCompared = 0;
    List<String> duckMismatches = new ArrayList<>();
    long start = System.nanoTime();
    long onNanos = 0;
    long offNanos = 0;
    for (int i = 0; i < queries; i++) {
      QueryGenerator.Query q = i % 100 < LARGE_PERCENT
          ? gen.next("t", TestCollection.ROWS) : gen.next("s", SMALL_ROWS);
      long t0 = System.nanoTime();
      // every other query plans with index filters preferred, to exercise the translator on
      // broad predicates (NOT / OR trees) that the cost model would leave to a scan
      boolean preferIndex = i % 2 == 1;
      ConvergeIndexFilter.preferForTests = preferIndex;
      Object a;
      try {
        a = run(on, q);
      } finally {
        ConvergeIndexFilter.preferForTests = false;
      }
      long t1 = System.nanoTime();
      Object b = run(off, q);
      long t2 = System.nanoTime();
      onNanos += t1 - t0;
      offNanos += t2 - t1;
      if (Boolean.getBoolean("converge.difftest.verbose")) {
        System.out.printf("%6.1f %6.1f %s%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, q.sql());
      }
      if (a instanceof SQLException && b instanceof SQLException) {
        bothFailed++;
        if (Boolean.getBoolean("converge.difftest.verbose")) {
          System.out.println("both failed: " + q.sql() + ": " + ((SQLException) b).getMessage());
        }
        continue;
      }
      if (q.duckdb() && duckCompared < DUCKDB_QUERIES && !(a instanceof SQLException)) {
        duckCompared++;
        Object d = DuckDbReference.run(duck, q);
        if (!a.equals(d)) {
          duckMismatches.add("#" + i + " " + q.sql() + "\n  converge: " + abbreviate(a)
              + "\n  duckdb:   " + abbreviate(d));
        }
      }
      if (!a.equals(b)) {
        mismatches.add("#" + i + (preferIndex ? " (index preferred) " : " ") + q.sql()
            + "\n  pushdown on:  " + abbreviate(a) + "\n  pushdown off: " + abbreviate(b));
      }
      if (i % 10 == 0 || (preferIndex && i % 10 == 1)) {
        ConvergeIndexFilter.preferForTests = preferIndex;
        String plan;
        try {
          plan = explain(on, q);
        } finally {
          ConvergeIndexFilter.preferForTests = false;
        }
        for (String p : List.of("ConvergeTableScan", "ConvergeIndexFilter", "ConvergeRowLookup",
            "ConvergeAggregate", "ConvergeLimit")) {
          if (plan.contains(p + "(")) {
            paths.merge(p, 1, Integer::sum);
          }
        }
        assertTrue(!explain(off, q).contains("Converge"),
            () -> "pushdown=false plan uses a Converge rel: " + q.sql());
      }
    }
    System.out.printf("differential test: %d queries (seed %d), %d mismatches, %d failed on both"
        + " sides, plans sampled (every 10th, plus every 10th with index preferred) by access"
        + " path: %s, %.1f s (pushdown on %.1f s, off"
        + " %.1f s); %d queries compared with DuckDB, %d differ%n", queries, seed,
        mismatches.size(), bothFailed, paths, (System.nanoTime() - start) / 1e9, onNanos / 1e9,
        offNanos / 1e9, duckCompared, duckMismatches.size());
    assertEquals(List.of(), mismatches.subList(0, Math.min(10, mismatches.size())),
        mismatches.size() + " mismatches");
    assertEquals(List.of(), duckMismatches.subList(0, Math.min(10, duckMismatches.size())),
        duckMismatches.size() + " differences from DuckDB");
    assertEquals(Math.min(DUCKDB_QUERIES, queries / 4), Math.min(duckCompared, queries / 4),
        "queries compared with DuckDB");
    for (String p : List.of("ConvergeIndexFilter", "ConvergeRowLookup", "ConvergeAggregate",
        "ConvergeLimit")) {
      assertTrue(paths.getOrDefault(p, 0) > queries / 400, () -> p + " rarely chosen: " + paths);
    }
    assertTrue(bothFailed < queries / 20, "too many queries fail on both sides: " + bothFailed);
  }

  /**
   * The result as sorted (or, under ORDER BY, ordered) rows in {@link DuckDbReference}'s form,
   * or the exception.
   */
  private static Object run(Connection c, QueryGenerator.Query q) {
    try {
      List<String> rows;
      if (q.params().isEmpty()) {
        try (java.sql.Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q.sql())) {
          rows = DuckDbReference.rows(rs); // the form DuckDB's rows are compared in
        }
      } else {
        try (PreparedStatement ps = prepare(c, q.sql(), q.params());
            ResultSet rs = ps.executeQuery()) {
          rows = DuckDbReference.rows(rs);
        }
      }
      if (!q.ordered()) {
        Collections.sort(rows);
      }
      return rows;
    } catch (SQLException e) {
      return e;
    }
  }

  static PreparedStatement prepare(Connection c, String sql, List<Object> params)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < params.size(); i++) {
      ps.setObject(i + 1, params.get(i));
    }
    return ps;
  }

  private static String explain(Connection c, QueryGenerator.Query q) throws SQLException {
    if (q.params().isEmpty()) {
      return RulesTestSupport.explain(c, q.sql());
    }
    try (PreparedStatement ps = prepare(c, "explain plan for " + q.sql(), q.params());
        ResultSet rs = ps.executeQuery()) {
      return String.join("\n", RulesTestSupport.rows(rs));
    }
  }

  private static String abbreviate(Object o) {
    String s = o instanceof SQLException e ? "ERROR " + e.getMessage() : String.valueOf(o);
    return s.length() > 600 ? s.substring(0, 600) + "..." : s;
  }
}
