package io.converge.bench.ssb;

import io.converge.bench.ssb.SsbQueries.Form;
import io.converge.bench.ssb.SsbQueries.Query;
import io.converge.bench.ssb.SsbTimer.Executor;
import io.converge.bench.ssb.SsbTimer.Measurement;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench ssb}: the Star Schema Benchmark on Converge, DuckDB and H2 in one run.
 *
 * <ol>
 *   <li>generates every table at the scale factor as NDJSON and CSV (not timed);
 *   <li>loads Converge (BulkLoader, one collection per table, fresh data directory), DuckDB and
 *       H2 (on-disk files, in this JVM), timing each and measuring its size on disk;
 *   <li>starts a {@code ConvergeServer} on loopback over the directory and connects through the
 *       Avatica remote driver; records {@code EXPLAIN PLAN FOR} of every query;
 *   <li>runs each of the 13 queries, flat and star form, on every engine: warm-up runs, then the
 *       median of the timed runs (Converge with a plain {@code Statement}, which plans every
 *       time, and with a {@code PreparedStatement}, planned once);
 *   <li>checks every engine's rows against DuckDB's flat-form rows (sorted, fractions within
 *       1e-9 relative) and writes the figures, failures included, to an 'SSB benchmark' section.
 * </ol>
 */
public final class SsbBenchmark {
  public static final String HEADING = "SSB benchmark";
  static final String CONVERGE = "Converge";
  static final String CONVERGE_PREPARED = "Converge prepared";
  static final String DUCKDB = "DuckDB";
  static final String H2 = "H2";
  /** Queries whose Converge plans go into the report (all of them go to stderr). */
  static final List<String> REPORTED_PLANS = List.of("Q1.1 flat", "Q3.1 flat", "Q3.1 star");

  private final SsbOptions options;
  private final PrintStream out;
  private final PrintStream err;
  private final SsbEnvironment env;

  public SsbBenchmark(SsbOptions options, PrintStream out, PrintStream err, SsbEnvironment env) {
    this.options = options;
    this.out = out;
    this.err = err;
    this.env = env;
  }

  /** Everything one run found, for the report. */
  record Findings(SsbGenerator generator, String machine, long generateNanos,
      List<SsbFiles.Written> files, SsbConvergeLoad.Result converge,
      Map<String, Map<String, Long>> peerLoadNanos, Map<String, Long> peerSizes,
      long serverStartNanos,
      Map<Form, Map<String, Map<String, Measurement>>> measurements,
      Map<Form, Map<String, Map<String, String>>> differences, Map<String, String> plans,
      double loadBefore, double loadAfter) {}

  /** Runs the benchmark; false when a result differed from DuckDB's or a query failed. */
  public boolean run() throws IOException, SQLException {
    String machine = env.machine();
    SsbGenerator generator = new SsbGenerator(options.scaleFactor(), options.seed());
    out.printf(Locale.ROOT, "SSB benchmark: scale factor %s (seed %d), %d timed runs after %d"
            + " warm-up runs, %d s budget per query and engine%n", sf(), options.seed(),
        options.runs(), options.warmup(), options.budgetSeconds());
    out.println("Machine: " + machine);
    if (options.dataDir() != null) {
      checkFresh(options.dataDir());
    }
    Path work = Files.createTempDirectory("converge-ssb-");
    Path dataDir = options.dataDir() != null ? options.dataDir() : work.resolve("converge");
    SsbSqlEngine duck = null;
    SsbSqlEngine h2 = null;
    try {
      // 1. Input files, not timed.
      Path input = Files.createDirectories(work.resolve("input"));
      long g0 = System.nanoTime();
      List<SsbFiles.Written> files = new ArrayList<>();
      for (SsbTable t : SsbTable.ALL) {
        SsbFiles.Written w = SsbFiles.write(generator, t, input);
        files.add(w);
        err.printf(Locale.ROOT, "  generated %-14s %,12d rows (NDJSON %s, CSV %s)%n", t.name(),
            w.rows(), mb(w.ndjsonBytes()), mb(w.csvBytes()));
      }
      long generateNanos = System.nanoTime() - g0;
      out.printf(Locale.ROOT, "Generated %d tables in %.1f s (not timed)%n", files.size(),
          generateNanos / 1e9);

      // 2. Loads.
      SsbConvergeLoad.Result converge = SsbConvergeLoad.load(dataDir, files, err);
      out.printf(Locale.ROOT, "Converge load: %.1f s (sealing and close %.1f s), %s on disk,"
          + " %,d rejected%n", converge.totalNanos() / 1e9, converge.closeNanos() / 1e9,
          mb(converge.dirBytes()), converge.rejected());
      Map<String, Map<String, Long>> peerLoads = new LinkedHashMap<>();
      Map<String, Long> peerSizes = new LinkedHashMap<>();
      duck = SsbSqlEngine.duckDb(work.resolve("duckdb"));
      h2 = SsbSqlEngine.h2(work.resolve("h2"));
      for (SsbSqlEngine e : List.of(duck, h2)) {
        Map<String, Long> nanos = new LinkedHashMap<>();
        for (SsbFiles.Written w : files) {
          nanos.put(w.table().name(), e.load(w));
        }
        nanos.put("", e.finishLoad());
        peerLoads.put(e.name(), nanos);
        peerSizes.put(e.name(), e.sizeOnDisk());
        out.printf(Locale.ROOT, "%s load: %.1f s, %s on disk%n", e.name(),
            nanos.values().stream().mapToLong(Long::longValue).sum() / 1e9,
            mb(e.sizeOnDisk()));
      }
      deleteTree(input);

      // 3-4. Queries.
      Map<Form, Map<String, Map<String, Measurement>>> measurements = new EnumMap<>(Form.class);
      Map<String, String> plans = new LinkedHashMap<>();
      double loadBefore = env.loadAverage();
      long s0 = System.nanoTime();
      ConvergeServer server = ConvergeServer.start(
          new ServerOptions(dataDir, ServerOptions.DEFAULT_HOST, 0, ServerOptions.PROTOBUF));
      long serverStartNanos;
      try (Connection c = DriverManager.getConnection(server.jdbcUrl());
          Executor plain = SsbTimer.plain(c);
          Executor prepared = SsbTimer.prepared(c);
          Executor duckPlain = SsbTimer.plain(duck.connection());
          Executor h2Plain = SsbTimer.plain(h2.connection())) {
        serverStartNanos = System.nanoTime() - s0;
        out.printf(Locale.ROOT, "Converge server at %s; start and connection %.1f s%n",
            server.jdbcUrl(), serverStartNanos / 1e9);
        for (Form form : Form.values()) {
          for (Query q : SsbQueries.ALL) {
            String label = q.id() + " " + form.name().toLowerCase(Locale.ROOT);
            String plan = explain(c, q.sql(form));
            plans.put(label, plan);
            err.println("  EXPLAIN " + label + ":\n    " + plan.replace("\n", "\n    "));
          }
        }
        for (Form form : Form.values()) {
          Map<String, Map<String, Measurement>> byQuery = new LinkedHashMap<>();
          measurements.put(form, byQuery);
          for (Query q : SsbQueries.ALL) {
            Map<String, Measurement> byEngine = new LinkedHashMap<>();
            byQuery.put(q.id(), byEngine);
            String sql = q.sql(form);
            byEngine.put(CONVERGE, measure(CONVERGE, form, q, plain, sql));
            byEngine.put(CONVERGE_PREPARED, measure(CONVERGE_PREPARED, form, q, prepared, sql));
            byEngine.put(DUCKDB, measure(DUCKDB, form, q, duckPlain, sql));
            if (form == Form.FLAT || options.h2Star()) {
              byEngine.put(H2, measure(H2, form, q, h2Plain, sql));
            }
          }
        }
      } finally {
        server.stop();
      }
      double loadAfter = env.loadAverage();

      // 5. Checks and report.
      Map<Form, Map<String, Map<String, String>>> differences = check(measurements);
      Findings f = new Findings(generator, machine, generateNanos, files, converge, peerLoads,
          peerSizes, serverStartNanos, measurements, differences, plans, loadBefore, loadAfter);
      SsbReport report = new SsbReport(options, f);
      out.println();
      out.print(report.tables());
      List<String> problems = report.problems();
      for (String p : problems) {
        err.println("RESULT CHECK FAILED: " + p);
      }
      if (problems.isEmpty()) {
        out.println("Results check: every query returned DuckDB's rows on every engine.");
      }
      if (options.out() != null) {
        env.writeSection(options.out(), HEADING, report.markdown());
        out.println("Wrote section '" + HEADING + "' of " + options.out());
      }
      return problems.isEmpty();
    } finally {
      for (SsbSqlEngine e : new SsbSqlEngine[] {duck, h2}) {
        if (e != null) {
          e.close();
        }
      }
      deleteTree(work);
    }
  }

  private Measurement measure(String engine, Form form, Query q, Executor e, String sql) {
    Measurement m = SsbTimer.measure(e, sql, options.warmup(), options.runs(),
        options.budgetSeconds() * 1_000_000_000L);
    err.printf(Locale.ROOT, "  %-4s %-5s %-18s %s%n", q.id(),
        form.name().toLowerCase(Locale.ROOT), engine, m.ok()
            ? String.format(Locale.ROOT, "median %.1f ms of %d, %d rows", m.medianNanos() / 1e6,
                m.nanos().length, m.rows().size())
            : "FAILED: " + m.error());
    return m;
  }

  /**
   * Per form, query and engine: null when the rows equal DuckDB's flat-form rows, else what
   * differs (or why there is nothing to compare).
   */
  static Map<Form, Map<String, Map<String, String>>> check(
      Map<Form, Map<String, Map<String, Measurement>>> measurements) {
    Map<Form, Map<String, Map<String, String>>> result = new EnumMap<>(Form.class);
    for (Map.Entry<Form, Map<String, Map<String, Measurement>>> f : measurements.entrySet()) {
      Map<String, Map<String, String>> byQuery = new LinkedHashMap<>();
      for (Map.Entry<String, Map<String, Measurement>> q : f.getValue().entrySet()) {
        Measurement reference = measurements.get(Form.FLAT).get(q.getKey()).get(DUCKDB);
        Map<String, String> byEngine = new LinkedHashMap<>();
        for (Map.Entry<String, Measurement> e : q.getValue().entrySet()) {
          Measurement m = e.getValue();
          String d;
          if (!m.ok()) {
            d = "failed: " + m.error();
          } else if (!reference.ok()) {
            d = "no reference (DuckDB flat failed)";
          } else {
            d = SsbRows.difference(reference.rows(), m.rows());
          }
          byEngine.put(e.getKey(), d);
        }
        byQuery.put(q.getKey(), byEngine);
      }
      result.put(f.getKey(), byQuery);
    }
    return result;
  }

  static String explain(Connection c, String sql) {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("explain plan for " + sql)) {
      StringBuilder b = new StringBuilder();
      while (rs.next()) {
        b.append(rs.getString(1).strip()).append('\n');
      }
      return b.toString().strip();
    } catch (SQLException e) {
      return "EXPLAIN failed: " + SsbTimer.message(e);
    }
  }

  private String sf() {
    return SsbReport.scaleFactor(options.scaleFactor());
  }

  static String mb(long bytes) {
    return String.format(Locale.ROOT, "%,.0f MB", bytes / (1024.0 * 1024.0));
  }

  static void checkFresh(Path dataDir) throws IOException {
    if (Files.isDirectory(dataDir)) {
      try (Stream<Path> s = Files.list(dataDir)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--data-dir " + dataDir + " is not empty");
        }
      }
    } else if (Files.exists(dataDir)) {
      throw new IllegalArgumentException("--data-dir " + dataDir + " is not a directory");
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
