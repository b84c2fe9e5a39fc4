package io.converge.bench.cluster;

import io.converge.bench.ssb.SsbQueries;
import io.converge.bench.ssb.SsbQueries.Form;
import io.converge.bench.ssb.SsbTimer;
import io.converge.bench.ssb.SsbTimer.Executor;
import io.converge.bench.ssb.SsbTimer.Measurement;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The 13 SSB flat queries on one system through the Avatica driver, as prepared statements:
 * warm-up runs, then the timed runs, with each process's CPU time read from {@code /proc} around
 * the timed runs only.
 */
final class QueryRuns {
  /** A query's time budget: generous, the runs are what was asked for. */
  static final long BUDGET_NANOS = 3_600L * 1_000_000_000L;

  private QueryRuns() {}

  /**
   * One query on one system.
   *
   * @param cpuPerRun per process (by name), CPU seconds per timed run
   */
  record QueryFigures(Measurement measurement, Map<String, Double> cpuPerRun) {}

  /** A system to query: its JDBC URL and its processes by name. */
  record Target(String name, String jdbcUrl, Map<String, Long> pids) {}

  static Map<String, QueryFigures> run(Target t, int warmup, int runs, PrintStream log)
      throws SQLException {
    Map<String, QueryFigures> byQuery = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(t.jdbcUrl());
        Executor prepared = SsbTimer.prepared(c)) {
      for (SsbQueries.Query q : SsbQueries.ALL) {
        String sql = q.sql(Form.FLAT);
        Measurement warm = SsbTimer.measure(prepared, sql, warmup, 0, BUDGET_NANOS);
        Measurement m = warm;
        Map<String, Double> perRun = new LinkedHashMap<>();
        if (warm.ok()) {
          Map<String, Double> before = ProcessCpu.read(t.pids());
          m = SsbTimer.measure(prepared, sql, 0, runs, BUDGET_NANOS);
          Map<String, Double> used = ProcessCpu.delta(before, ProcessCpu.read(t.pids()));
          int done = Math.max(1, m.nanos().length);
          used.forEach((name, s) -> perRun.put(name, s / done));
        }
        byQuery.put(q.id(), new QueryFigures(m, perRun));
        log.printf(Locale.ROOT, "  %-4s %-14s %s%n", q.id(), t.name(), m.ok()
            ? String.format(Locale.ROOT, "median %.1f ms of %d, %d rows, CPU/run %s",
                m.medianNanos() / 1e6, m.nanos().length, m.rows().size(), cpu(perRun))
            : "FAILED: " + m.error());
      }
    }
    return byQuery;
  }

  private static String cpu(Map<String, Double> perRun) {
    StringBuilder b = new StringBuilder();
    perRun.forEach((n, s) -> b.append(b.length() == 0 ? "" : ", ").append(n).append(' ')
        .append(String.format(Locale.ROOT, "%.3f s", s)));
    return b.toString();
  }
}
