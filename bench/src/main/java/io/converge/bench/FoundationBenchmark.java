package io.converge.bench;

import io.converge.examples.SampleData;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.write.BulkLoader;
import io.converge.storage.write.LoadListener;
import io.converge.storage.write.LoadResult;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The foundation benchmark of issue 2: bulk-load throughput of N sample orders into a fresh data
 * directory with every index built, then {@code SELECT COUNT(*)} and a {@code GROUP BY} through
 * the Avatica remote driver, timed against DuckDB (in-process, in-memory) over the same NDJSON in
 * the same run, with a check that both engines return the same answers.
 */
final class FoundationBenchmark {
  static final String HEADING = "Foundation benchmark";
  static final double TOLERANCE = 1e-6;

  /** The queries, as a user types them into sqlline (the same text runs on both engines). */
  static final List<Query> QUERIES = List.of(
      new Query("count", "select count(*) from orders"),
      new Query("group by", "select status, count(*), sum(amount) from orders group by status"));

  record Query(String name, String sql) {}

  record Options(long docs, Path dataDir, int runs, int warmup, long seed, Path out,
      boolean help, List<String> args) {
    static Options parse(String[] args) {
      long docs = 1_000_000;
      Path dataDir = null;
      int runs = 5;
      int warmup = 3;
      long seed = SampleData.DEMO_SEED;
      Path out = Path.of("docs", "benchmarks.md");
      OptionArgs it = new OptionArgs(args);
      while (it.next()) {
        String name = it.name();
        String value = it.value();
        switch (name) {
          case "--docs" -> docs = OptionArgs.positive(name, value);
          case "--data-dir" -> dataDir = Path.of(value);
          case "--runs" -> runs = (int) OptionArgs.positive(name, value);
          case "--warmup" -> warmup = (int) OptionArgs.nonNegative(name, value);
          case "--seed" -> seed = OptionArgs.number(name, value);
          case "--out" -> out = value.equals("none") ? null : Path.of(value);
          default -> throw it.unknown();
        }
      }
      return new Options(docs, dataDir, runs, warmup, seed, out, it.help(), List.of(args));
    }
  }

  /** Timed runs of one query on one engine, and the rows of the last run. */
  record Timed(String engine, Query query, long firstNanos, long[] nanos, QueryResult last) {
    double median() {
      return Timings.median(nanos);
    }
  }

  private final Options options;
  private final PrintStream out;
  private final PrintStream err;
  /** Highest load average seen while timing queries. */
  private double queryLoad;

  FoundationBenchmark(Options options, PrintStream out, PrintStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  /** Runs everything; false when the engines disagreed or documents were rejected. */
  boolean run() throws IOException, SQLException {
    MachineInfo machine = MachineInfo.current();
    out.println("Foundation benchmark: " + Timings.count(options.docs()) + " orders, "
        + options.runs() + " timed runs after " + options.warmup() + " warm-up runs");
    out.println("Machine: " + machine.describe());
    if (options.dataDir() != null) {
      checkFresh(options.dataDir());
    }
    Path work = Files.createTempDirectory("converge-bench-");
    Path dataDir = options.dataDir() != null ? options.dataDir() : work.resolve("data");
    try {
      // 1. The input, generated once and not timed.
      Path ndjson = work.resolve("orders.ndjson");
      long t0 = System.nanoTime();
      SampleData.writeNdjson(ndjson, SampleData.ORDERS, options.docs(), options.seed());
      long genNanos = System.nanoTime() - t0;
      long inputBytes = Files.size(ndjson);
      out.printf(Locale.ROOT, "Generated %s (%s) in %s (not timed)%n", ndjson.getFileName(),
          Timings.megabytes(inputBytes), Timings.seconds(genNanos));

      // 2. Bulk load into a fresh directory, every index built, flushed and closed.
      Load load = load(ndjson, dataDir, options.docs(), err, false);
      out.printf(Locale.ROOT,
          "Converge bulk load: %s docs in %s = %,.0f docs/s (BulkLoader %.1f s + close %.1f s),"
              + " %s rejected, data dir %s; process CPU %.1f s (%,.0f docs per CPU-second);"
              + " load average %.1f before, %.1f after%n",
          Timings.count(load.result.loaded()), Timings.seconds(load.wallNanos),
          load.docsPerSecond(), load.result.seconds(), load.closeNanos / 1e9,
          Timings.count(load.result.rejected()), Timings.megabytes(load.dirBytes),
          load.cpuNanos / 1e9, load.docsPerCpuSecond(), load.loadBefore, load.loadAfter);
      if (load.loadBefore > machine.cores() || load.loadAfter > machine.cores()) {
        err.println("WARNING: other processes were using the CPUs during the load (load average"
            + " above " + machine.cores() + "); wall-clock figures are pessimistic");
      }

      // 3. Queries through the Avatica remote driver against the loaded directory.
      List<Timed> converge = new ArrayList<>();
      long s0 = System.nanoTime();
      ConvergeServer server = ConvergeServer.start(
          new ServerOptions(dataDir, ServerOptions.DEFAULT_HOST, 0, ServerOptions.PROTOBUF));
      long connectNanos;
      try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
        connectNanos = System.nanoTime() - s0;
        out.println("Converge server at " + server.jdbcUrl() + "; start and first connection "
            + Timings.seconds(connectNanos));
        for (Query q : QUERIES) {
          converge.add(time("Converge", c, q));
        }
      } finally {
        server.stop();
      }

      // 4. The same queries on DuckDB over the same NDJSON.
      List<Timed> duck = new ArrayList<>();
      long duckLoadNanos;
      String duckThreads;
      try (Connection d = DriverManager.getConnection("jdbc:duckdb:")) {
        long l0 = System.nanoTime();
        try (Statement s = d.createStatement()) {
          s.execute("create table orders as select * from read_json_auto('"
              + ndjson.toAbsolutePath().toString().replace("'", "''")
              + "', format = 'newline_delimited')");
        }
        duckLoadNanos = System.nanoTime() - l0;
        duckThreads = String.valueOf(
            QueryResult.run(d, "select current_setting('threads')").rows().get(0).get(0));
        out.printf(Locale.ROOT, "DuckDB load (read_json_auto into an in-memory table): %s, "
            + "%s threads%n", Timings.seconds(duckLoadNanos), duckThreads);
        for (Query q : QUERIES) {
          duck.add(time("DuckDB", d, q));
        }
      }

      // 5. Same answers?
      List<String> problems = new ArrayList<>();
      if (load.result.loaded() != options.docs()) {
        problems.add("loaded " + load.result.loaded() + " of " + options.docs() + " documents");
      }
      for (int i = 0; i < QUERIES.size(); i++) {
        String diff = QueryResult.difference(converge.get(i).last(), duck.get(i).last(),
            TOLERANCE);
        if (diff != null) {
          problems.add(QUERIES.get(i).name() + ": Converge and DuckDB differ: " + diff);
        }
      }
      Object count = converge.get(0).last().rows().get(0).get(0);
      if (!(count instanceof Number n) || n.longValue() != options.docs()) {
        problems.add("count(*) returned " + count + ", expected " + options.docs());
      }

      String table = table(converge, duck);
      out.println();
      out.print(table);
      if (problems.isEmpty()) {
        out.println("Results check: both engines returned the same rows (counts equal, sums "
            + "within 1e-6 relative).");
      } else {
        for (String p : problems) {
          err.println("RESULT CHECK FAILED: " + p);
        }
      }
      if (options.out() != null) {
        MarkdownSection.write(options.out(), HEADING, markdown(machine, inputBytes, genNanos,
            load, duckLoadNanos, duckThreads, table, problems, connectNanos, converge, duck));
        out.println("Wrote section '" + HEADING + "' of " + options.out());
      }
      return problems.isEmpty();
    } finally {
      deleteTree(work);
    }
  }

  static void checkFresh(Path dataDir) throws IOException {
    if (Files.isDirectory(dataDir)) {
      try (Stream<Path> s = Files.list(dataDir)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--data-dir " + dataDir
              + " is not empty; the load is measured into a fresh directory");
        }
      }
    } else if (Files.exists(dataDir)) {
      throw new IllegalArgumentException("--data-dir " + dataDir + " is not a directory");
    }
  }

  /** What the bulk load took. */
  record Load(LoadResult result, long wallNanos, long closeNanos, long dirBytes, long cpuNanos,
      double loadBefore, double loadAfter) {
    double docsPerSecond() {
      return result.loaded() / (wallNanos / 1e9);
    }

    /** Documents per second of this process's CPU time (both cores count). */
    double docsPerCpuSecond() {
      return cpuNanos > 0 ? result.loaded() / (cpuNanos / 1e9) : 0;
    }
  }

  /**
   * Bulk-loads {@code ndjson} into the {@code orders} collection of {@code dataDir}, printing
   * progress to {@code err}; with {@code awaitSealed}, waits for every queued segment seal before
   * the final flush and close (so that a reopened directory serves sealed segments).
   */
  static Load load(Path ndjson, Path dataDir, long total, PrintStream err, boolean awaitSealed)
      throws IOException {
    long step = Math.max(1, total / 10);
    double loadBefore = SystemLoad.loadAverage();
    long cpuStart = SystemLoad.processCpuNanos();
    long start = System.nanoTime();
    LoadResult result;
    long closeStart;
    try (ConvergeStore store = ConvergeStore.open(dataDir);
        InputStream in = new BufferedInputStream(Files.newInputStream(ndjson), 1 << 16)) {
      ConvergeCollection orders = store.getOrCreate(SampleData.ORDERS);
      result = new BulkLoader(orders).load(ndjson.getFileName().toString(), in,
          new LoadListener() {
            long next = step;

            @Override
            public void progress(long loaded, long rejected, long bytesRead) {
              if (loaded >= next) {
                next += step;
                double s = (System.nanoTime() - start) / 1e9;
                err.printf(Locale.ROOT, "  loaded %,d (%.0f docs/s)%n", loaded, loaded / s);
              }
            }

            @Override
            public void rejected(String source, long line, String reason) {
              err.println("  rejected " + source + ":" + line + ": " + reason);
            }
          });
      closeStart = System.nanoTime();
      if (awaitSealed) {
        store.awaitSealed();
      }
      store.flush();
    }
    long end = System.nanoTime();
    long cpu = SystemLoad.processCpuNanos() - cpuStart;
    return new Load(result, end - start, end - closeStart, sizeOf(dataDir), cpu, loadBefore,
        SystemLoad.loadAverage());
  }

  private Timed time(String engine, Connection c, Query q) throws SQLException {
    queryLoad = Math.max(queryLoad, SystemLoad.loadAverage());
    long first = -1;
    for (int i = 0; i < options.warmup(); i++) {
      long n = QueryResult.run(c, q.sql()).nanos();
      first = first < 0 ? n : first;
    }
    long[] nanos = new long[options.runs()];
    QueryResult last = null;
    for (int i = 0; i < nanos.length; i++) {
      last = QueryResult.run(c, q.sql());
      nanos[i] = last.nanos();
    }
    first = first < 0 ? nanos[0] : first;
    Timed t = new Timed(engine, q, first, nanos, last);
    err.printf(Locale.ROOT, "  %-8s %-8s first run %s, median %s%n", engine, q.name(),
        Timings.ms(first), Timings.ms(t.median()));
    return t;
  }

  private String table(List<Timed> converge, List<Timed> duck) {
    StringBuilder b = new StringBuilder();
    b.append("| Query | Converge (Avatica remote) | DuckDB (in-process) | Converge / DuckDB |\n");
    b.append("|---|---:|---:|---:|\n");
    for (int i = 0; i < QUERIES.size(); i++) {
      double c = converge.get(i).median();
      double d = duck.get(i).median();
      b.append(String.format(Locale.ROOT, "| `%s` | %s | %s | %.1fx |%n", QUERIES.get(i).sql(),
          Timings.ms(c), Timings.ms(d), c / d));
    }
    return b.toString();
  }

  private static String firsts(List<Timed> timed) {
    StringBuilder b = new StringBuilder();
    for (Timed t : timed) {
      b.append(b.length() == 0 ? "" : " / ").append(Timings.ms(t.firstNanos()));
    }
    return b.toString();
  }

  private String markdown(MachineInfo machine, long inputBytes, long genNanos, Load load,
      long duckLoadNanos, String duckThreads, String table, List<String> problems,
      long connectNanos, List<Timed> converge, List<Timed> duck) {
    StringBuilder b = new StringBuilder();
    b.append("Command: `bin/converge bench foundation");
    for (String a : options.args()) {
      b.append(' ').append(a);
    }
    b.append("` (run ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(")\n\n");
    b.append("Machine: ").append(machine.describe()).append("\n\n");
    b.append("### Bulk load\n\n");
    b.append(String.format(Locale.ROOT,
        "%s sample orders (`SampleData.orders`, seed %d) as NDJSON, %s, generated beforehand"
            + " (%s, not timed), loaded with `BulkLoader` into a fresh data directory with every"
            + " index built; wall clock from opening the store to its close after the final"
            + " flush.%n%n",
        Timings.count(options.docs()), options.seed(), Timings.megabytes(inputBytes),
        Timings.seconds(genNanos)));
    b.append("| Measure | Value |\n|---|---:|\n");
    b.append(String.format(Locale.ROOT, "| Documents loaded (rejected) | %s (%s) |%n",
        Timings.count(load.result.loaded()), Timings.count(load.result.rejected())));
    b.append(String.format(Locale.ROOT, "| Wall clock, including flush and close | %s |%n",
        Timings.seconds(load.wallNanos)));
    b.append(String.format(Locale.ROOT, "| **Throughput** | **%,.0f docs/s** |%n",
        load.docsPerSecond()));
    b.append(String.format(Locale.ROOT, "| Data directory after close | %s |%n",
        Timings.megabytes(load.dirBytes)));
    b.append(String.format(Locale.ROOT,
        "| Process CPU time during the load (docs per CPU-second) | %.1f s (%,.0f) |%n",
        load.cpuNanos / 1e9, load.docsPerCpuSecond()));
    b.append(String.format(Locale.ROOT,
        "| Machine load average (1 min) before / after the load | %.1f / %.1f |%n",
        load.loadBefore, load.loadAfter));
    b.append(String.format(Locale.ROOT,
        "| DuckDB load of the same file (`read_json_auto`, in-memory table) | %s |%n%n",
        Timings.seconds(duckLoadNanos)));
    b.append("### Queries\n\n");
    b.append(String.format(Locale.ROOT,
        "Median of %d runs after %d warm-up runs; each run is a fresh plain `Statement`"
            + " (as sqlline sends), execute and fetch every row. Converge: `ConvergeServer` on"
            + " a loopback port over the loaded directory, Avatica remote driver (protobuf)."
            + " DuckDB: `jdbc:duckdb:` in the same JVM, %s threads.%n%n",
        options.runs(), options.warmup(), duckThreads));
    b.append(table).append('\n');
    b.append(String.format(Locale.ROOT,
        "Cold start, not in the medians: server start and first connection %s; first run of"
            + " each query on Converge %s, on DuckDB %s. Highest machine load average while"
            + " timing queries: %.1f.%n%n",
        Timings.seconds(connectNanos), firsts(converge), firsts(duck), queryLoad));
    if (problems.isEmpty()) {
      b.append("Results check: both engines returned the same rows (counts equal, sums within"
          + " 1e-6 relative).\n");
    } else {
      b.append("**Results check FAILED:**\n\n");
      for (String p : problems) {
        b.append("- ").append(p).append('\n');
      }
    }
    return b.toString();
  }

  static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("could not delete " + root + ": " + e.getMessage());
    }
  }
}
