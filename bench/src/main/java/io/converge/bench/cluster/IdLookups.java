package io.converge.bench.cluster;

import io.converge.bench.Timings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * {@code _id} point lookups through the Avatica driver: a plain statement with a new id in its
 * text each time, and one prepared statement executed with each id; untimed warm-up lookups of
 * (at most {@value #WARMUP} of) the same ids first. Every lookup must return its one row.
 */
final class IdLookups {
  static final int WARMUP = 300;

  private IdLookups() {}

  /** Nanoseconds of each timed lookup, plain and prepared. */
  record Latencies(long[] plain, long[] prepared) {
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

  static Latencies run(String jdbcUrl, String table, List<String> ids) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      long[] plain = new long[ids.size()];
      long[] prepared = new long[ids.size()];
      for (int pass = 0; pass < 2; pass++) {
        for (int i = pass == 0 ? warmupStart(ids) : 0; i < ids.size(); i++) {
          long t0 = System.nanoTime();
          String sql = "select * from " + table + " where \"_id\" = '" + ids.get(i) + "'";
          try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            expectOne(rs, ids.get(i));
          }
          plain[i] = System.nanoTime() - t0;
        }
      }
      try (PreparedStatement ps = c.prepareStatement("select * from " + table
          + " where \"_id\" = ?")) {
        for (int pass = 0; pass < 2; pass++) {
          for (int i = pass == 0 ? warmupStart(ids) : 0; i < ids.size(); i++) {
            long t0 = System.nanoTime();
            ps.setString(1, ids.get(i));
            try (ResultSet rs = ps.executeQuery()) {
              expectOne(rs, ids.get(i));
            }
            prepared[i] = System.nanoTime() - t0;
          }
        }
      }
      return new Latencies(plain, prepared);
    }
  }

  /** The first pass (untimed) looks up the last {@link #WARMUP} ids only. */
  private static int warmupStart(List<String> ids) {
    return Math.max(0, ids.size() - WARMUP);
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
