package io.converge.bench.cluster;

import io.converge.bench.Timings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * {@code _id} point lookups through the Avatica driver: a plain statement with a new id in its
 * text each time, and one prepared statement executed with each id; untimed warm-up lookups of
 * (at most {@value #WARMUP} of) the same ids first. Each kind stops early once it used its time
 * budget (after at least {@value #MIN_TIMED} timed lookups), so that a slow path cannot hold the
 * run for hours. Every lookup must return its one row.
 */
final class IdLookups {
  static final int WARMUP = 300;
  static final int MIN_TIMED = 5;

  private IdLookups() {}

  /** Nanoseconds of each timed lookup, plain and prepared; {@code asked} were wanted of each. */
  record Latencies(long[] plain, long[] prepared, int asked) {
    double plainP50() {
      return Timings.percentile(plain, 50);
    }

    double plainP99() {
      return Timings.percentile(plain, 99);
    }

    double preparedP50() {
      return Timings.percentile(prepared, 50);
    }

    double preparedP99() {
      return Timings.percentile(prepared, 99);
    }
  }

  /** One lookup of the {@code i}-th id. */
  private interface Lookup {
    void run(String id) throws SQLException;
  }

  /**
   * @param budgetNanos per kind, warm-up included
   */
  static Latencies run(String jdbcUrl, String table, List<String> ids, long budgetNanos)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      long[] plain = time(ids, budgetNanos, id -> {
        String sql = "select * from " + table + " where \"_id\" = '" + id + "'";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
          expectOne(rs, id);
        }
      });
      long[] prepared;
      try (PreparedStatement ps = c.prepareStatement("select * from " + table
          + " where \"_id\" = ?")) {
        prepared = time(ids, budgetNanos, id -> {
          ps.setString(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            expectOne(rs, id);
          }
        });
      }
      return new Latencies(plain, prepared, ids.size());
    }
  }

  private static long[] time(List<String> ids, long budgetNanos, Lookup lookup)
      throws SQLException {
    long start = System.nanoTime();
    // warm-up: the last ids, at most half the budget
    for (int i = Math.max(0, ids.size() - WARMUP); i < ids.size()
        && System.nanoTime() - start < budgetNanos / 2; i++) {
      lookup.run(ids.get(i));
    }
    long[] nanos = new long[ids.size()];
    int timed = 0;
    while (timed < ids.size()
        && (timed < MIN_TIMED || System.nanoTime() - start < budgetNanos)) {
      long t0 = System.nanoTime();
      lookup.run(ids.get(timed));
      nanos[timed++] = System.nanoTime() - t0;
    }
    return Arrays.copyOf(nanos, timed);
  }

  private static void expectOne(ResultSet rs, String id) throws SQLException {
    int rows = 0;
    while (rs.next()) {
      rs.getObject(1);
      rows++;
    }
    if (rows != 1) {
      throw new IllegalStateException("_id " + id + " returned " + rows + " rows");
    }
  }
}
