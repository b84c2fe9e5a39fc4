package io.converge.bench.cluster;

import io.converge.bench.ssb.SsbQueries;
import io.converge.bench.ssb.SsbQueries.Form;
import io.converge.bench.ssb.SsbTimer;
import io.converge.bench.ssb.SsbTimer.Executor;
import io.converge.bench.ssb.SsbTimer.Measurement;
import java.io.PrintStream;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The 13 SSB flat queries on one system through the Avatica driver, as prepared statements:
 * warm-up runs, then the timed runs, with each process's CPU time read from {@code /proc} and
 * each leaf's fragment work counters ({@link LeafCounters}) read around the timed runs only.
 */
final class QueryRuns {
  /** A query's time budget: generous, the runs are what was asked for. */
  static final long BUDGET_NANOS = 3_600L * 1_000_000_000L;

  private QueryRuns() {}

  /**
   * One query on one system.
   *
   * @param cpuPerRun per process (by name), CPU seconds per timed run
   * @param wallNanosPerRun wall-clock time of the timed runs, divided by the runs
   * @param leafWork per leaf (by name), its fragment work counters per timed run
   * @param jvmPerRun per process (by name), its JIT and GC threads' CPU per timed run
   */
  record QueryFigures(Measurement measurement, Map<String, Double> cpuPerRun,
      double wallNanosPerRun, Map<String, LeafCounters.Work> leafWork,
      Map<String, ProcessCpu.JvmThreads> jvmPerRun) {
    QueryFigures(Measurement measurement, Map<String, Double> cpuPerRun) {
      this(measurement, cpuPerRun, 0, Map.of(), Map.of());
    }
  }

  /**
   * A system to query: its JDBC URL, its processes by name and its leaves' {@code /metrics} by
   * name (none for the one-process server).
   */
  record Target(String name, String jdbcUrl, Map<String, Long> pids,
      Map<String, URI> leafMetrics) {}

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
        Map<String, LeafCounters.Work> work = Map.of();
        Map<String, ProcessCpu.JvmThreads> jvm = new LinkedHashMap<>();
        double wall = 0;
        if (warm.ok()) {
          Map<String, LeafCounters.Work> workBefore = LeafCounters.read(t.leafMetrics());
          Map<String, ProcessCpu.JvmThreads> jvmBefore = ProcessCpu.readJvmThreads(t.pids());
          Map<String, Double> before = ProcessCpu.read(t.pids());
          long t0 = System.nanoTime();
          m = SsbTimer.measure(prepared, sql, 0, runs, BUDGET_NANOS);
          long t1 = System.nanoTime();
          Map<String, Double> used = ProcessCpu.delta(before, ProcessCpu.read(t.pids()));
          Map<String, ProcessCpu.JvmThreads> jvmAfter = ProcessCpu.readJvmThreads(t.pids());
          int done = Math.max(1, m.nanos().length);
          jvmAfter.forEach((name, j) -> jvm.put(name, j.minus(jvmBefore.getOrDefault(name,
              new ProcessCpu.JvmThreads(0, 0))).per(done)));
          work = LeafCounters.perRun(workBefore, LeafCounters.read(t.leafMetrics()), done);
          used.forEach((name, s) -> perRun.put(name, s / done));
          wall = (double) (t1 - t0) / done;
        }
        byQuery.put(q.id(), new QueryFigures(m, perRun, wall, work, jvm));
        log.printf(Locale.ROOT, "  %-4s %-14s %s%n", q.id(), t.name(), m.ok()
            ? String.format(Locale.ROOT, "median %.1f ms of %d, %d rows, CPU/run %s%s",
                m.medianNanos() / 1e6, m.nanos().length, m.rows().size(), cpu(perRun),
                fragmentCpu(work))
            : "FAILED: " + m.error());
      }
    }
    return byQuery;
  }

  private static String fragmentCpu(Map<String, LeafCounters.Work> work) {
    StringBuilder b = new StringBuilder();
    work.forEach((n, w) -> b.append(b.length() == 0 ? "; fragment CPU/run " : ", ").append(n)
        .append(' ').append(String.format(Locale.ROOT, "%.3f s", w.cpuSeconds())));
    return b.toString();
  }

  private static String cpu(Map<String, Double> perRun) {
    StringBuilder b = new StringBuilder();
    perRun.forEach((n, s) -> b.append(b.length() == 0 ? "" : ", ").append(n).append(' ')
        .append(String.format(Locale.ROOT, "%.3f s", s)));
    return b.toString();
  }
}
