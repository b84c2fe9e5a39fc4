package io.converge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.adapter.ConvergeSchemaFactory;
import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * tenth. {@code -Dconverge.difftest.queries=20000} runs a longer version;
 * {@code -Dconverge.difftest.seed=N} another sequence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConvergeDifferentialTest {
  /** Documents in {@code s}, the small (in-memory) collection most queries use. */
  static final int SMALL_ROWS = 4_000;
  /** Share of the queries that go to {@code t} (80,000 documents, sealed and in memory). */
  static final int LARGE_PERCENT = 15;

  @TempDir static Path dir;
  private Connection on;
  private Connection off;

  @BeforeAll
  void load() throws SQLException {
    ConvergeStore store = ConvergeSchemaFactory.store(dir);
    TestCollection.write(store);
    TestCollection.write(store, "s", SMALL_ROWS);
    on = RulesTestSupport.connect(dir, true);
    off = RulesTestSupport.connect(dir, false);
  }

  @AfterAll
  void close() throws SQLException {
    on.close();
    off.close();
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
      if (!a.equals(b)) {
        mismatches.add("#" + i + (preferIndex ? " (index preferred) " : " ") + q.sql() + "\n  pushdown on:  " + abbreviate(a)
            + "\n  pushdown off: " + abbreviate(b));
      }
      if (i % 10 == 0 || (preferIndex && i % 10 == 1)) {
        ConvergeIndexFilter.preferForTests = preferIndex;
        String plan;
        try {
          plan = RulesTestSupport.explain(on, q.sql());
        } finally {
          ConvergeIndexFilter.preferForTests = false;
        }
        for (String p : List.of("ConvergeTableScan", "ConvergeIndexFilter", "ConvergeRowLookup",
            "ConvergeAggregate")) {
          if (plan.contains(p + "(")) {
            paths.merge(p, 1, Integer::sum);
          }
        }
        assertTrue(!RulesTestSupport.explain(off, q.sql()).contains("Converge"),
            () -> "pushdown=false plan uses a Converge rel: " + q.sql());
      }
    }
    System.out.printf("differential test: %d queries (seed %d), %d mismatches, %d failed on both"
        + " sides, plans sampled (every 10th, plus every 10th with index preferred) by access path: %s, %.1f s (pushdown on %.1f s, off"
        + " %.1f s)%n", queries, seed, mismatches.size(), bothFailed, paths,
        (System.nanoTime() - start) / 1e9, onNanos / 1e9, offNanos / 1e9);
    assertEquals(List.of(), mismatches.subList(0, Math.min(10, mismatches.size())),
        mismatches.size() + " mismatches");
    for (String p : List.of("ConvergeIndexFilter", "ConvergeRowLookup", "ConvergeAggregate")) {
      assertTrue(paths.getOrDefault(p, 0) > queries / 400, () -> p + " rarely chosen: " + paths);
    }
    assertTrue(bothFailed < queries / 20, "too many queries fail on both sides: " + bothFailed);
  }

  /** The result as sorted (or, under ORDER BY, ordered) rows, or the exception. */
  private static Object run(Connection c, QueryGenerator.Query q) {
    try {
      List<String> rows = RulesTestSupport.query(c, q.sql());
      if (!q.ordered()) {
        Collections.sort(rows);
      }
      return rows;
    } catch (SQLException e) {
      return e;
    }
  }

  private static String abbreviate(Object o) {
    String s = o instanceof SQLException e ? "ERROR " + e.getMessage() : String.valueOf(o);
    return s.length() > 600 ? s.substring(0, 600) + "..." : s;
  }
}
