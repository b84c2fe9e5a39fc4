package io.converge.bench.ssb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Runs one query on one engine: untimed warm-up runs, then timed runs within a time budget. */
public final class SsbTimer {
  private SsbTimer() {}

  /** How an engine runs a query: execute, read every row, close. */
  public interface Executor extends AutoCloseable {
    SsbRows execute(String sql) throws SQLException;

    /** Work done once per query before any timing (a prepared statement's planning). */
    default void prepare(String sql) throws SQLException {}

    @Override
    default void close() throws SQLException {}
  }

  /** A fresh plain {@code Statement} per run: parse, plan and execute every time (sqlline). */
  public static Executor plain(Connection c) {
    return sql -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        return SsbRows.read(rs);
      }
    };
  }

  /** One {@code PreparedStatement} per query, prepared before the runs, executed by each run. */
  public static Executor prepared(Connection c) {
    return new Executor() {
      final Map<String, PreparedStatement> statements = new HashMap<>();

      @Override
      public void prepare(String sql) throws SQLException {
        if (!statements.containsKey(sql)) {
          statements.put(sql, c.prepareStatement(sql));
        }
      }

      @Override
      public SsbRows execute(String sql) throws SQLException {
        prepare(sql);
        try (ResultSet rs = statements.get(sql).executeQuery()) {
          return SsbRows.read(rs);
        }
      }

      @Override
      public void close() throws SQLException {
        for (PreparedStatement p : statements.values()) {
          p.close();
        }
        statements.clear();
      }
    };
  }

  /**
   * The timed runs of one query on one engine (nanoseconds), the rows of the last run, or the
   * error that stopped it; {@code asked} runs were wanted.
   */
  public record Measurement(long[] nanos, int asked, SsbRows rows, String error) {
    public boolean ok() {
      return error == null;
    }

    public double medianNanos() {
      long[] s = nanos.clone();
      Arrays.sort(s);
      int n = s.length;
      return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    }
  }

  /**
   * Warm-up runs, then timed runs; stops adding runs once {@code budgetNanos} are used, after at
   * least one timed run.
   */
  public static Measurement measure(Executor e, String sql, int warmup, int runs, long budgetNanos) {
    long start = System.nanoTime();
    long[] nanos = new long[runs];
    int timed = 0;
    SsbRows rows = null;
    try {
      e.prepare(sql);
      for (int i = 0; i < warmup && System.nanoTime() - start < budgetNanos; i++) {
        rows = e.execute(sql);
      }
      while (timed < runs && (timed == 0 || System.nanoTime() - start < budgetNanos)) {
        long t0 = System.nanoTime();
        rows = e.execute(sql);
        nanos[timed++] = System.nanoTime() - t0;
      }
      return new Measurement(Arrays.copyOf(nanos, timed), runs, rows, null);
    } catch (SQLException | RuntimeException ex) {
      return new Measurement(Arrays.copyOf(nanos, timed), runs, rows, message(ex));
    }
  }

  /** The innermost cause's first line, shortened: what the report shows for a failed query. */
  public static String message(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName()
        : root.getClass().getSimpleName() + ": " + root.getMessage();
    m = m.lines().findFirst().orElse(m).strip();
    return m.length() > 200 ? m.substring(0, 200) + "..." : m;
  }
}
