package io.converge.bench;

import io.converge.adapter.ConvergeJdbc;
import io.converge.examples.SampleData;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.storage.ConvergeStore;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The figures of issue 3 (planner rules), side by side in one run: the same queries through the
 * Avatica remote driver on two connections to one server, pushdown on (the default) and pushdown
 * off ({@code ;pushdown=false}), and on DuckDB (in-process, in-memory) over the same NDJSON:
 *
 * <ol>
 *   <li>a needle: an equality on {@code "customer.id"} matching about 0.1% of the orders, returning
 *       the rows (plain {@code Statement} and {@code PreparedStatement});
 *   <li>{@code GROUP BY status} with {@code COUNT(*)} and {@code SUM(amount)} over every order, with
 *       the server's peak heap during its timed runs (the server runs in this JVM);
 *   <li>{@code _id} point lookups with a {@code PreparedStatement}: median and p99 latency.
 * </ol>
 *
 * <p>Every query must return the same rows on the three engines; {@code EXPLAIN PLAN FOR} of each
 * query on both Converge connections goes into the report, and when the two plans are identical for
 * every query (the {@code pushdown} property not honoured) the report says so.
 */
final class PushdownBenchmark {
  static final String HEADING = "Pushdown benchmark";
  static final double TOLERANCE = 1e-6;
  /** The needle's wanted selectivity: the customer whose frequency is closest to it is used. */
  static final double NEEDLE_SELECTIVITY = 0.001;
  static final double NEEDLE_TARGET = 50;
  static final double GROUP_BY_TARGET = 10;
  static final double DUCKDB_AIM = 3;
  /** Lookups timed with pushdown off (each may be a full scan), and compared with DuckDB. */
  static final int OFF_LOOKUPS = 10;
  /** Untimed lookups before the timed ones, per warm-up run asked for. */
  static final int WARMUP_LOOKUPS_PER_RUN = 100;
  /**
   * Time budget of one engine's lookups: when each lookup is a full scan (no row-store access
   * path), 10,000 of them over millions of documents would take hours, so the timed lookups stop
   * once they have used this much (the warm-up a sixth of it), after at least
   * {@link #OFF_LOOKUPS}, and the report says how many ran. System property
   * {@code converge.bench.lookupBudgetSeconds} (default 180).
   */
  static final long LOOKUP_BUDGET_NANOS =
      Long.getLong("converge.bench.lookupBudgetSeconds", 180) * 1_000_000_000L;
  static final String PUSHDOWN_OFF = ";pushdown=false";
  /**
   * Fetch size of the extra needle timing with pushdown on: the Avatica server sends 100 rows per
   * frame by default (one HTTP round trip each), this many at most; the difference is transport.
   */
  static final int LARGE_FETCH = 10_000;

  /**
   * The pushdown-off connection: the URL with {@code ;pushdown=false} and the same property in
   * the {@code Properties}. Avatica's remote driver sends the server only the {@code Properties}
   * given to {@code connect}, not the URL's key=value pairs (CALCITE-4121), so the URL form alone
   * does not reach the server's Calcite connection.
   */
  static Connection connectPushdownOff(String jdbcUrl) throws SQLException {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("pushdown", "false");
    return DriverManager.getConnection(jdbcUrl + PUSHDOWN_OFF, p);
  }

  static final String GROUP_BY =
      "select status, count(*), sum(amount) from orders group by status";
  static final String LOOKUP = "select * from orders where \"_id\" = ?";
  static final String DUCK_LOOKUP = "select _id, amount, status from orders where _id = ?";

  static String needleSql(String customerId) {
    return "select \"_id\", amount, status from orders where \"customer.id\" = '"
        + customerId.replace("'", "''") + "'";
  }

  static final String NEEDLE_PREPARED =
      "select \"_id\", amount, status from orders where \"customer.id\" = ?";

  /** DuckDB reads {@code customer} as a STRUCT: the same needle, in its dialect. */
  static String duckNeedleSql(String customerId) {
    return "select _id, amount, status from orders where customer.id = '"
        + customerId.replace("'", "''") + "'";
  }

  static final String DUCK_NEEDLE_PREPARED =
      "select _id, amount, status from orders where customer.id = ?";

  record Options(long docs, Path dataDir, int runs, int warmup, int lookups, long seed, Path out,
      boolean help, List<String> args) {
    static Options parse(String[] args) {
      long docs = 5_000_000;
      Path dataDir = null;
      int runs = 5;
      int warmup = 3;
      int lookups = 10_000;
      long seed = SampleData.DEMO_SEED;
      Path out = Path.of("docs", "benchmarks.md");
      OptionArgs it = new OptionArgs(args);
      while (it.next()) {
        String name = it.name();
        String value = it.value();
        switch (name) {
          case "--docs" -> docs = OptionArgs.positive(name, value);
          case "--data-dir" -> dataDir = Path.of(value);
          case "--runs" -> runs = intValue(name, OptionArgs.positive(name, value));
          case "--warmup" ->
              warmup = intValue(name, OptionArgs.nonNegative(name, value));
          case "--lookups" ->
              lookups = intValue(name, OptionArgs.positive(name, value));
          case "--seed" -> seed = OptionArgs.number(name, value);
          case "--out" -> out = value.equals("none") ? null : Path.of(value);
          default -> throw it.unknown();
        }
      }
      return new Options(docs, dataDir, runs, warmup, lookups, seed, out, it.help(), List.of(args));
    }

    private static int intValue(String name, long n) {
      if (n > 10_000_000) {
        throw new IllegalArgumentException(name + " must be at most 10,000,000, not " + n);
      }
      return (int) n;
    }
  }

  /** Timed runs of one query on one engine, and the rows of the last run. */
  record Timed(String engine, String query, long firstNanos, long[] nanos, QueryResult last) {
    double median() {
      return Timings.median(nanos);
    }
  }

  /** The generated input: the file, the needle chosen from the generator's own counts. */
  record Input(Path file, long bytes, long genNanos, String needleId, long needleCount,
      List<String> warmupIds, List<String> lookupIds) {}

  /** Heap pools' peak during one engine's timed group-by runs, and each pool's peak. */
  record Heap(long usedAfterGc, long peakSum, String pools) {}

  /** {@code EXPLAIN PLAN FOR} of one query on both Converge connections. */
  record Plans(String query, String sql, String on, String off) {
    boolean differ() {
      return !on.equals(off);
    }
  }

  /** The timed lookups of one engine: per-lookup latencies and the rows of the first few. */
  record Lookups(String engine, long prepareNanos, int warmups, int asked, long[] nanos,
      List<String> labels, List<QueryResult> firstRows) {
    boolean cut() {
      return nanos.length < asked;
    }

    double median() {
      return Timings.median(nanos);
    }

    long p99() {
      return Timings.percentile(nanos, 99);
    }
  }

  private final Options options;
  private final PrintStream out;
  private final PrintStream err;
  private final List<String> problems = new ArrayList<>();
  /** Highest load average seen while timing queries. */
  private double queryLoad;

  PushdownBenchmark(Options options, PrintStream out, PrintStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  /** Runs everything; false when a result check failed. */
  boolean run() throws IOException, SQLException {
    MachineInfo machine = MachineInfo.current();
    out.println("Pushdown benchmark: " + Timings.count(options.docs()) + " orders, "
        + options.runs() + " timed runs after " + options.warmup() + " warm-up runs, "
        + Timings.count(options.lookups()) + " _id lookups");
    out.println("Machine: " + machine.describe() + "; " + xmx());
    if (options.dataDir() != null) {
      FoundationBenchmark.checkFresh(options.dataDir());
    }
    Path work = Files.createTempDirectory("converge-bench-");
    Path dataDir = options.dataDir() != null ? options.dataDir() : work.resolve("data");
    try {
      // 1. The input, generated once and not timed; the needle from the generator's counts.
      Input input = generate(work.resolve("orders.ndjson"));
      out.printf(Locale.ROOT, "Generated %s (%s) in %s (not timed); needle customer.id = '%s'"
              + " matches %s orders (%.4f%%)%n", input.file().getFileName(),
          Timings.megabytes(input.bytes()), Timings.seconds(input.genNanos()), input.needleId(),
          Timings.count(input.needleCount()), 100.0 * input.needleCount() / options.docs());

      // 2. Bulk load, segments sealed before the close.
      FoundationBenchmark.Load load = FoundationBenchmark.load(input.file(), dataDir,
          options.docs(), err, true);
      out.printf(Locale.ROOT, "Converge bulk load: %s docs in %s = %,.0f docs/s (segments sealed"
              + " before close), %s rejected, data dir %s; load average %.1f before, %.1f after%n",
          Timings.count(load.result().loaded()), Timings.seconds(load.wallNanos()),
          load.docsPerSecond(), Timings.count(load.result().rejected()),
          Timings.megabytes(load.dirBytes()), load.loadBefore(), load.loadAfter());
      if (load.result().loaded() != options.docs()) {
        problems.add("loaded " + load.result().loaded() + " of " + options.docs() + " documents");
      }

      // 3. Converge: one server, two client connections.
      long s0 = System.nanoTime();
      ConvergeServer server = ConvergeServer.start(
          new ServerOptions(dataDir, ServerOptions.DEFAULT_HOST, 0, ServerOptions.PROTOBUF));
      String needle = needleSql(input.needleId());
      String lookupExample = input.lookupIds().get(0);
      long connectNanos;
      List<Plans> plans = new ArrayList<>();
      Timed needleOn;
      Timed needleOff;
      Timed needlePreparedOn;
      Timed needlePreparedOff;
      Timed needleFetchOn;
      Timed groupOn;
      Timed groupOff;
      Heap heapOn;
      Heap heapOff;
      Lookups lookupsOn;
      Lookups lookupsOff;
      try (Connection on = DriverManager.getConnection(server.jdbcUrl());
          Connection off = connectPushdownOff(server.jdbcUrl())) {
        connectNanos = System.nanoTime() - s0;
        out.println("Converge server at " + server.jdbcUrl() + "; start and both connections "
            + Timings.seconds(connectNanos));
        plans.add(new Plans("needle", needle, explain(on, needle), explain(off, needle)));
        plans.add(new Plans("group by", GROUP_BY, explain(on, GROUP_BY), explain(off, GROUP_BY)));
        plans.add(new Plans("_id lookup", LOOKUP + "  -- ? = '" + lookupExample + "'",
            explainPrepared(on, LOOKUP, lookupExample),
            explainPrepared(off, LOOKUP, lookupExample)));
        plans.add(new Plans("needle, prepared", NEEDLE_PREPARED + "  -- ? = '"
            + input.needleId() + "'", explainPrepared(on, NEEDLE_PREPARED, input.needleId()),
            explainPrepared(off, NEEDLE_PREPARED, input.needleId())));
        String literalLookup = LOOKUP.replace("?", "'" + lookupExample + "'");
        plans.add(new Plans("_id lookup, literal", literalLookup, explain(on, literalLookup),
            explain(off, literalLookup)));
        for (Plans p : plans) {
          err.println("  EXPLAIN " + p.query() + (p.differ() ? ": plans differ"
              : ": SAME PLAN on both connections") + "\n    on:  "
              + p.on().replace("\n", "\n         ") + "\n    off: "
              + p.off().replace("\n", "\n         "));
        }
        if (!pushdownHonoured(plans)) {
          err.println("WARNING: " + notHonouredWarning());
        }

        needleOn = time("on", on, "needle", needle, null);
        needleOff = time("off", off, "needle", needle, null);
        needlePreparedOn = timePrepared("on", on, "needle prep", NEEDLE_PREPARED,
            input.needleId());
        needlePreparedOff = timePrepared("off", off, "needle prep", NEEDLE_PREPARED,
            input.needleId());
        needleFetchOn = timePrepared("on", on, "needle f10k", NEEDLE_PREPARED, input.needleId(),
            LARGE_FETCH);
        Heap[] heap = new Heap[1];
        List<MemoryPoolMXBean> pools = heapPools();
        groupOn = time("on", on, "group by", GROUP_BY, () -> heap[0] = resetHeapPeaks(pools));
        heapOn = new Heap(heap[0].usedAfterGc(), peakSum(pools), peaks(pools));
        groupOff = time("off", off, "group by", GROUP_BY, () -> heap[0] = resetHeapPeaks(pools));
        heapOff = new Heap(heap[0].usedAfterGc(), peakSum(pools), peaks(pools));
        int warmups = Math.min(input.warmupIds().size(),
            options.warmup() * WARMUP_LOOKUPS_PER_RUN);
        lookupsOn = lookups("on", on, input.warmupIds().subList(0, warmups), input.lookupIds());
        int handful = Math.min(OFF_LOOKUPS, input.lookupIds().size());
        lookupsOff = lookups("off", off, input.warmupIds().subList(0,
            Math.min(options.warmup(), warmups)), input.lookupIds().subList(0, handful));
      } finally {
        server.stop();
      }

      // 3b. The same queries in-process (embedded Calcite connections over the same directory,
      // no network): what the access paths cost without Avatica's transport, side by side with
      // DuckDB, which also runs in-process.
      Timed needleEmbOn;
      Timed needleEmbCold;
      Timed needleEmbOff;
      Timed groupEmbOn;
      Timed groupEmbOff;
      String cacheUse;
      ConvergeStore shared = ConvergeStore.acquire(dataDir);
      try (Connection on = ConvergeJdbc.connect(dataDir, true);
          Connection off = ConvergeJdbc.connect(dataDir, false)) {
        // Off first: its scan leaves the needle's columns in the column cache, as any recent
        // scan of them would; the needle then reads its rows from the cached vectors.
        needleEmbOff = timePrepared("in-proc off", off, "needle prep", NEEDLE_PREPARED,
            input.needleId());
        needleEmbOn = timePrepared("in-proc on", on, "needle prep", NEEDLE_PREPARED,
            input.needleId());
        groupEmbOn = timePrepared("in-proc on", on, "group by", GROUP_BY, null);
        groupEmbOff = timePrepared("in-proc off", off, "group by", GROUP_BY, null);
        cacheUse = shared.columnCacheDescription();
        out.println("Column segment cache after the warm in-process runs: " + cacheUse);
        // Last, the needle with the column cache emptied before every run: its rows come from
        // the row store (what a needle over columns no query has read lately costs).
        needleEmbCold = timePrepared("in-proc on", on, "needle cold", NEEDLE_PREPARED,
            input.needleId(), 0, shared::clearColumnCache);
      } finally {
        shared.release();
      }

      // 4. DuckDB over the same NDJSON.
      long duckLoadNanos;
      String duckThreads;
      Timed needleDuck;
      Timed needlePreparedDuck;
      Timed groupDuck;
      Lookups lookupsDuck;
      try (Connection d = DriverManager.getConnection("jdbc:duckdb:")) {
        long l0 = System.nanoTime();
        try (Statement s = d.createStatement()) {
          s.execute("create table orders as select * from read_json_auto('"
              + input.file().toAbsolutePath().toString().replace("'", "''")
              + "', format = 'newline_delimited')");
        }
        duckLoadNanos = System.nanoTime() - l0;
        duckThreads = String.valueOf(
            QueryResult.run(d, "select current_setting('threads')").rows().get(0).get(0));
        out.printf(Locale.ROOT, "DuckDB load (read_json_auto into an in-memory table): %s, "
            + "%s threads%n", Timings.seconds(duckLoadNanos), duckThreads);
        needleDuck = time("DuckDB", d, "needle", duckNeedleSql(input.needleId()), null);
        needlePreparedDuck = timePrepared("DuckDB", d, "needle prep", DUCK_NEEDLE_PREPARED,
            input.needleId());
        groupDuck = time("DuckDB", d, "group by", GROUP_BY, null);
        lookupsDuck = lookups("DuckDB", d, DUCK_LOOKUP, List.of(),
            input.lookupIds().subList(0, lookupsOff.nanos().length));
      }

      // 5. Same answers everywhere?
      checkNeedle(input, needleOn, needleOff, needlePreparedOn, needlePreparedOff, needleDuck,
          needlePreparedDuck);
      same("needle (fetch size " + LARGE_FETCH + ")", needleFetchOn.last(), "pushdown on",
          needleOn.last(), "the plain statement");
      checkGroupBy(groupOn, groupOff, groupDuck);
      same("needle in-process", needleEmbOn.last(), "pushdown on", needleEmbOff.last(),
          "pushdown off");
      same("needle in-process", needleEmbCold.last(), "row store", needleEmbOn.last(),
          "cached columns");
      same("needle in-process", needleEmbOn.last(), "in-process", needlePreparedOn.last(),
          "through the server");
      checkGroupBy(groupEmbOn, groupEmbOff, groupDuck);
      checkLookups(lookupsOn, lookupsOff, lookupsDuck);

      String table = table(input, needleOn, needleOff, needlePreparedOn, needlePreparedOff,
          needleFetchOn, needleDuck, needlePreparedDuck, groupOn, groupOff, groupDuck, lookupsOn, lookupsOff,
          lookupsDuck, plans);
      String heapTable = heapTable(heapOn, heapOff);
      String embeddedTable = embeddedTable(needleEmbOn, needleEmbCold, needleEmbOff,
          needlePreparedDuck, groupEmbOn, groupEmbOff, groupDuck, cacheUse);
      out.println();
      out.print(table);
      out.println();
      out.print(embeddedTable);
      out.println();
      out.print(heapTable);
      if (!pushdownHonoured(plans)) {
        out.println();
        out.println("WARNING: " + notHonouredWarning());
      }
      if (problems.isEmpty()) {
        out.println("Results check: pushdown on, pushdown off and DuckDB returned the same rows"
            + " (counts equal, sums within 1e-6 relative, needle row sets equal, every lookup"
            + " one row).");
      } else {
        for (String p : problems) {
          err.println("RESULT CHECK FAILED: " + p);
        }
      }
      if (options.out() != null) {
        MarkdownSection.write(options.out(), HEADING, markdown(machine, input, load,
            duckLoadNanos, duckThreads, connectNanos, table, embeddedTable, heapTable, plans,
            List.of(needleOn, needleOff, groupOn, groupOff), lookupsOn));
        out.println("Wrote section '" + HEADING + "' of " + options.out());
      }
      return problems.isEmpty();
    } finally {
      FoundationBenchmark.deleteTree(work);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Input

  /**
   * Writes the orders as NDJSON while counting each {@code customer.id} and recording the
   * {@code _id} of randomly chosen orders (the lookups, and warm-up lookups).
   */
  Input generate(Path file) throws IOException {
    long docs = options.docs();
    int warmups = options.warmup() * WARMUP_LOOKUPS_PER_RUN;
    SplittableRandom pick = new SplittableRandom(options.seed() * 31 + 7);
    long[] wanted = new long[options.lookups() + warmups];
    Map<Long, String> idsByIndex = new HashMap<>();
    for (int i = 0; i < wanted.length; i++) {
      wanted[i] = pick.nextLong(docs);
      idsByIndex.put(wanted[i], null);
    }
    Map<String, long[]> perCustomer = new HashMap<>();
    long t0 = System.nanoTime();
    ObservedOrders.write(file, docs, options.seed(), (index, o) -> {
      if (o.get("customer") instanceof Map<?, ?> customer && customer.get("id") != null) {
        perCustomer.computeIfAbsent(customer.get("id").toString(), k -> new long[1])[0]++;
      }
      if (idsByIndex.containsKey(index)) {
        idsByIndex.put(index, String.valueOf(o.get("_id")));
      }
    });
    long genNanos = System.nanoTime() - t0;
    // The customer whose frequency is closest to the wanted selectivity (ties: smallest id).
    String needle = null;
    long needleCount = 0;
    double best = Double.MAX_VALUE;
    for (Map.Entry<String, long[]> e : new TreeMap<>(perCustomer).entrySet()) {
      double distance = Math.abs((double) e.getValue()[0] / docs - NEEDLE_SELECTIVITY);
      if (distance < best) {
        best = distance;
        needle = e.getKey();
        needleCount = e.getValue()[0];
      }
    }
    if (needle == null) {
      throw new IllegalStateException("the generator produced no customer.id");
    }
    List<String> ids = new ArrayList<>(wanted.length);
    for (long w : wanted) {
      ids.add(idsByIndex.get(w));
    }
    return new Input(file, Files.size(file), genNanos, needle, needleCount,
        List.copyOf(ids.subList(options.lookups(), ids.size())),
        List.copyOf(ids.subList(0, options.lookups())));
  }

  // ---------------------------------------------------------------------------------------------
  // Plans

  static String explain(Connection c, String sql) {
    try {
      return planText(QueryResult.run(c, "explain plan for " + sql));
    } catch (SQLException | RuntimeException e) {
      return "EXPLAIN failed: " + firstLine(e.getMessage());
    }
  }

  /** EXPLAIN of the parameterized statement as prepared; with the literal when that fails. */
  static String explainPrepared(Connection c, String sql, String param) {
    try (PreparedStatement ps = c.prepareStatement("explain plan for " + sql)) {
      ps.setString(1, param);
      return planText(read(ps));
    } catch (SQLException | RuntimeException e) {
      String literal = sql.replace("?", "'" + param.replace("'", "''") + "'");
      return "(EXPLAIN of the prepared statement failed: " + firstLine(e.getMessage())
          + "; with the literal:)\n" + explain(c, literal);
    }
  }

  private static String planText(QueryResult r) {
    StringBuilder b = new StringBuilder();
    for (List<Object> row : r.rows()) {
      b.append(row.isEmpty() ? "" : String.valueOf(row.get(0)));
    }
    return b.toString().strip();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static boolean pushdownHonoured(List<Plans> plans) {
    return plans.stream().anyMatch(Plans::differ);
  }

  static String notHonouredWarning() {
    return "the connection property pushdown=false is not honoured: EXPLAIN PLAN FOR gives"
        + " the same plan on the pushdown-on and pushdown-off connections for every query, so"
        + " the 'pushdown off' figures measure the same access path as 'pushdown on' and the"
        + " on/off ratios below say nothing about the planner rules.";
  }

  // ---------------------------------------------------------------------------------------------
  // Timing

  private void noteLoad() {
    queryLoad = Math.max(queryLoad, SystemLoad.loadAverage());
  }

  /** Plain statements: warm-up runs, then {@code beforeTimed}, then the timed runs. */
  private Timed time(String engine, Connection c, String name, String sql, Runnable beforeTimed)
      throws SQLException {
    noteLoad();
    long first = -1;
    for (int i = 0; i < options.warmup(); i++) {
      long n = QueryResult.run(c, sql).nanos();
      first = first < 0 ? n : first;
    }
    if (beforeTimed != null) {
      beforeTimed.run();
    }
    long[] nanos = new long[options.runs()];
    QueryResult last = null;
    for (int i = 0; i < nanos.length; i++) {
      last = QueryResult.run(c, sql);
      nanos[i] = last.nanos();
    }
    first = first < 0 ? nanos[0] : first;
    Timed t = new Timed(engine, name, first, nanos, last);
    report(t);
    noteLoad();
    return t;
  }

  /**
   * One prepared statement, executed (and read) warm-up + runs times with the same value
   * ({@code param} null: the statement has no parameter).
   */
  private Timed timePrepared(String engine, Connection c, String name, String sql, String param)
      throws SQLException {
    return timePrepared(engine, c, name, sql, param, 0);
  }

  /** {@link #timePrepared}, with {@code setFetchSize(fetchSize)} unless 0 (driver default). */
  private Timed timePrepared(String engine, Connection c, String name, String sql, String param,
      int fetchSize) throws SQLException {
    return timePrepared(engine, c, name, sql, param, fetchSize, null);
  }

  /** {@link #timePrepared}, running {@code beforeEachRun} (untimed) before every execution. */
  private Timed timePrepared(String engine, Connection c, String name, String sql, String param,
      int fetchSize, Runnable beforeEachRun) throws SQLException {
    noteLoad();
    long p0 = System.nanoTime();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      long prepare = System.nanoTime() - p0;
      if (fetchSize > 0) {
        ps.setFetchSize(fetchSize);
      }
      if (param != null) {
        ps.setString(1, param);
      }
      for (int i = 0; i < options.warmup(); i++) {
        if (beforeEachRun != null) {
          beforeEachRun.run();
        }
        read(ps);
      }
      long[] nanos = new long[options.runs()];
      QueryResult last = null;
      for (int i = 0; i < nanos.length; i++) {
        if (beforeEachRun != null) {
          beforeEachRun.run();
        }
        last = read(ps);
        nanos[i] = last.nanos();
      }
      Timed t = new Timed(engine, name, prepare, nanos, last);
      report(t);
      return t;
    }
  }

  private void report(Timed t) {
    err.printf(Locale.ROOT, "  %-6s %-11s first %s, median %s, %d rows%n", t.engine(),
        t.query(), Timings.ms(t.firstNanos()), Timings.ms(t.median()), t.last().rows().size());
  }

  /** Executes {@code ps} and reads every row; the time covers execute, fetch and close. */
  static QueryResult read(PreparedStatement ps) throws SQLException {
    return read(ps, null);
  }

  /** {@link #read(PreparedStatement)}, adding the column labels to {@code labels} if empty. */
  static QueryResult read(PreparedStatement ps, List<String> labels) throws SQLException {
    long start = System.nanoTime();
    List<List<Object>> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      int n = md.getColumnCount();
      if (labels != null && labels.isEmpty()) {
        for (int i = 1; i <= n; i++) {
          labels.add(md.getColumnLabel(i));
        }
      }
      while (rs.next()) {
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
          row[i] = rs.getObject(i + 1);
        }
        rows.add(Arrays.asList(row));
      }
    }
    return new QueryResult(rows, System.nanoTime() - start);
  }

  private Lookups lookups(String engine, Connection c, List<String> warmupIds, List<String> ids)
      throws SQLException {
    return lookups(engine, c, LOOKUP, warmupIds, ids);
  }

  /**
   * One {@code PreparedStatement}, executed once per id (execute, read the row, close the result
   * set); the rows of the first {@link #OFF_LOOKUPS} lookups are kept for the comparison, and
   * every lookup must return exactly one row.
   */
  private Lookups lookups(String engine, Connection c, String sql, List<String> warmupIds,
      List<String> ids) throws SQLException {
    noteLoad();
    long p0 = System.nanoTime();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      long prepare = System.nanoTime() - p0;
      int warmups = 0;
      long w0 = System.nanoTime();
      for (String id : warmupIds) {
        if (System.nanoTime() - w0 > LOOKUP_BUDGET_NANOS / 6) {
          break;
        }
        ps.setString(1, id);
        read(ps);
        warmups++;
      }
      long[] nanos = new long[ids.size()];
      long spent = 0;
      int done = 0;
      List<QueryResult> kept = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      int wrong = 0;
      String example = null;
      for (int i = 0; i < nanos.length; i++) {
        if (spent > LOOKUP_BUDGET_NANOS && i >= OFF_LOOKUPS) {
          break;
        }
        String id = ids.get(i);
        ps.setString(1, id);
        QueryResult r = read(ps, labels);
        nanos[i] = r.nanos();
        spent += r.nanos();
        done++;
        if (i < OFF_LOOKUPS) {
          kept.add(r);
        }
        int idColumn = Math.max(0, labels.indexOf("_id"));
        if (r.rows().size() != 1 || !String.valueOf(r.rows().get(0).get(idColumn)).equals(id)) {
          wrong++;
          example = example != null ? example : "'" + id + "' returned " + r.rows();
        }
      }
      if (done < nanos.length) {
        err.printf(Locale.ROOT, "WARNING: %s _id lookups stopped after %d of %d: their time"
            + " budget of %s was used up%n", engine, done, nanos.length,
            Timings.seconds(LOOKUP_BUDGET_NANOS));
        nanos = Arrays.copyOf(nanos, done);
      }
      if (wrong > 0) {
        problems.add("_id lookup on " + engine + ": " + wrong + " of " + nanos.length
            + " lookups did not return exactly the one row asked for, e.g. " + example);
      }
      Lookups l = new Lookups(engine, prepare, warmups, ids.size(), nanos, List.copyOf(labels),
          kept);
      err.printf(Locale.ROOT, "  %-6s %-11s %d lookups after %d warm-up: median %s, p99 %s%n",
          engine, "_id lookup", nanos.length, warmups, Timings.latency(l.median()),
          Timings.latency(l.p99()));
      noteLoad();
      return l;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Heap

  static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();
  }

  /** A full GC, then every heap pool's peak reset; returns the heap used after that GC. */
  static Heap resetHeapPeaks(List<MemoryPoolMXBean> pools) {
    System.gc();
    long used = 0;
    for (MemoryPoolMXBean p : pools) {
      used += p.getUsage().getUsed();
      p.resetPeakUsage();
    }
    return new Heap(used, 0, "");
  }

  /** Each heap pool's peak used since the last reset, for example "G1 Eden Space 24 MB". */
  static String peaks(List<MemoryPoolMXBean> pools) {
    StringBuilder b = new StringBuilder();
    for (MemoryPoolMXBean p : pools) {
      b.append(b.length() == 0 ? "" : ", ").append(p.getName()).append(' ')
          .append(Timings.megabytes(p.getPeakUsage().getUsed()));
    }
    return b.toString();
  }

  /** Sum of the heap pools' peak used since the last reset (an upper bound of the peak heap). */
  static long peakSum(List<MemoryPoolMXBean> pools) {
    long sum = 0;
    for (MemoryPoolMXBean p : pools) {
      sum += p.getPeakUsage().getUsed();
    }
    return sum;
  }

  /** The -Xmx this JVM was started with, and the max heap it reports. */
  static String xmx() {
    String flag = null;
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-Xmx")) {
        flag = a;
      }
    }
    return (flag != null ? flag : "no -Xmx (JVM default)") + ", max heap "
        + Timings.megabytes(Runtime.getRuntime().maxMemory());
  }

  // ---------------------------------------------------------------------------------------------
  // Checks

  private void same(String what, QueryResult a, String aName, QueryResult b, String bName) {
    String diff = QueryResult.difference(a, b, TOLERANCE);
    if (diff != null) {
      problems.add(what + ": " + aName + " and " + bName + " differ: " + diff);
    }
  }

  private void checkNeedle(Input input, Timed on, Timed off, Timed prepOn, Timed prepOff,
      Timed duck, Timed prepDuck) {
    same("needle", on.last(), "pushdown on", off.last(), "pushdown off");
    same("needle", on.last(), "pushdown on", duck.last(), "DuckDB");
    same("needle (prepared)", prepOn.last(), "pushdown on", on.last(), "the plain statement");
    same("needle (prepared)", prepOff.last(), "pushdown off", on.last(), "the plain statement");
    same("needle (prepared)", prepDuck.last(), "DuckDB", on.last(), "Converge");
    if (on.last().rows().size() != input.needleCount()) {
      problems.add("needle: pushdown on returned " + on.last().rows().size() + " rows; the"
          + " generator wrote " + input.needleCount() + " orders of customer "
          + input.needleId());
    }
  }

  private void checkGroupBy(Timed on, Timed off, Timed duck) {
    same("group by", on.last(), "pushdown on", off.last(), "pushdown off");
    same("group by", on.last(), "pushdown on", duck.last(), "DuckDB");
    long total = 0;
    for (List<Object> row : on.last().rows()) {
      total += row.get(1) instanceof Number n ? n.longValue() : 0;
    }
    if (total != options.docs()) {
      problems.add("group by: the counts add up to " + total + ", expected " + options.docs());
    }
  }

  private void checkLookups(Lookups on, Lookups off, Lookups duck) {
    for (int i = 0; i < off.firstRows().size(); i++) {
      QueryResult a = on.firstRows().get(i);
      same("_id lookup " + (i + 1), a, "pushdown on", off.firstRows().get(i), "pushdown off");
      same("_id lookup " + (i + 1), project(a, on.labels()), "pushdown on (_id, amount, status)",
          duck.firstRows().get(i), "DuckDB");
    }
  }

  /** The {@code _id, amount, status} columns of a {@code select *} lookup result. */
  private static QueryResult project(QueryResult r, List<String> labels) {
    List<List<Object>> rows = new ArrayList<>();
    for (List<Object> row : r.rows()) {
      List<Object> p = new ArrayList<>(3);
      for (String label : List.of("_id", "amount", "status")) {
        int i = labels.indexOf(label);
        p.add(i < 0 ? "<no column " + label + ">" : row.get(i));
      }
      rows.add(p);
    }
    return new QueryResult(rows, r.nanos());
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  private static Plans plan(List<Plans> plans, String query) {
    return plans.stream().filter(p -> p.query().equals(query)).findFirst().orElseThrow();
  }

  private static String ratio(double a, double b) {
    return b > 0 ? String.format(Locale.ROOT, "%.1fx", a / b) : "n/a";
  }

  private static String target(double ratio, double target, boolean atLeast) {
    boolean met = atLeast ? ratio >= target : ratio <= target;
    return String.format(Locale.ROOT, "%s %.0fx: %s", atLeast ? "≥" : "≤", target,
        met ? "met" : "**not met**");
  }

  private String table(Input input, Timed needleOn, Timed needleOff, Timed prepOn,
      Timed prepOff, Timed fetchOn, Timed needleDuck, Timed prepDuck, Timed groupOn, Timed groupOff,
      Timed groupDuck, Lookups lookOn, Lookups lookOff, Lookups lookDuck, List<Plans> plans) {
    StringBuilder b = new StringBuilder();
    b.append("| Query | Pushdown on | Pushdown off | Off / on | Target | DuckDB | On / DuckDB |\n");
    b.append("|---|---:|---:|---:|---|---:|---:|\n");
    String same = " (same plan on both connections)";
    double nOn = needleOn.median();
    double nOff = needleOff.median();
    b.append(String.format(Locale.ROOT,
        "| Needle, plain `Statement`: `customer.id` = '%s', %s rows (%.3f%%)%s | %s | %s | %s |"
            + " %s | %s | %s |%n",
        input.needleId(), Timings.count(input.needleCount()),
        100.0 * input.needleCount() / options.docs(), plan(plans, "needle").differ() ? "" : same,
        Timings.ms(nOn), Timings.ms(nOff), ratio(nOff, nOn), target(nOff / nOn, NEEDLE_TARGET,
            true), Timings.ms(needleDuck.median()), ratio(nOn, needleDuck.median())));
    b.append(String.format(Locale.ROOT,
        "| Needle, `PreparedStatement` (prepared once; execute and fetch)%s | %s | %s | %s | | %s |"
            + " %s |%n", plan(plans, "needle, prepared").differ() ? "" : same,
        Timings.ms(prepOn.median()), Timings.ms(prepOff.median()),
        ratio(prepOff.median(), prepOn.median()), Timings.ms(prepDuck.median()),
        ratio(prepOn.median(), prepDuck.median())));
    b.append(String.format(Locale.ROOT,
        "| Needle, `PreparedStatement`, `setFetchSize(%,d)` (pushdown on only: fewer round"
            + " trips; off / on against the default-fetch off figure) | %s | | %s | | | %s |%n",
        LARGE_FETCH, Timings.ms(fetchOn.median()), ratio(prepOff.median(), fetchOn.median()),
        ratio(fetchOn.median(), prepDuck.median())));
    double gOn = groupOn.median();
    double gOff = groupOff.median();
    double gDuck = groupDuck.median();
    b.append(String.format(Locale.ROOT,
        "| `GROUP BY status`, `COUNT(*)`, `SUM(amount)`, every order%s | %s | %s | %s | %s | %s |"
            + " %s (aim %s) |%n",
        plan(plans, "group by").differ() ? "" : same, Timings.ms(gOn), Timings.ms(gOff), ratio(gOff, gOn),
        target(gOff / gOn, GROUP_BY_TARGET, true), Timings.ms(gDuck), ratio(gOn, gDuck),
        target(gOn / gDuck, DUCKDB_AIM, false)));
    b.append(String.format(Locale.ROOT,
        "| `_id` lookup, `PreparedStatement`, median (on: %s lookups%s; off and DuckDB: %d)%s |"
            + " %s | %s | %s | | %s | |%n",
        Timings.count(lookOn.nanos().length), lookOn.cut() ? " of " + Timings.count(
            lookOn.asked()) + ", time budget used up" : "", lookOff.nanos().length,
        plan(plans, "_id lookup").differ() ? "" : same, Timings.latency(lookOn.median()),
        Timings.latency(lookOff.median()), ratio(lookOff.median(), lookOn.median()),
        Timings.latency(lookDuck.median())));
    b.append(String.format(Locale.ROOT,
        "| `_id` lookup, p99 (off and DuckDB: of %d) | %s | %s | | | %s | |%n",
        lookOff.nanos().length, Timings.latency(lookOn.p99()), Timings.latency(lookOff.p99()),
        Timings.latency(lookDuck.p99())));
    return b.toString();
  }

  /** In-process figures: embedded connections, prepared statements, against DuckDB's. */
  private String embeddedTable(Timed needleOn, Timed needleCold, Timed needleOff,
      Timed needleDuck, Timed groupOn, Timed groupOff, Timed groupDuck, String cacheUse) {
    StringBuilder b = new StringBuilder();
    b.append("| Query, in-process `PreparedStatement` | Pushdown on | Pushdown off | Off / on |"
        + " Target | DuckDB | On / DuckDB |\n");
    b.append("|---|---:|---:|---:|---|---:|---:|\n");
    double nOn = needleOn.median();
    double nOff = needleOff.median();
    b.append(String.format(Locale.ROOT, "| Needle, %s rows | %s | %s | %s | %s | %s | %s |%n",
        Timings.count(needleOn.last().rows().size()), Timings.ms(nOn), Timings.ms(nOff),
        ratio(nOff, nOn), target(nOff / nOn, NEEDLE_TARGET, true),
        Timings.ms(needleDuck.median()), ratio(nOn, needleDuck.median())));
    double nCold = needleCold.median();
    b.append(String.format(Locale.ROOT, "| Needle, column cache emptied before each run (rows"
            + " from the row store) | %s | %s | %s | %s | %s | %s |%n",
        Timings.ms(nCold), Timings.ms(nOff), ratio(nOff, nCold),
        target(nOff / nCold, NEEDLE_TARGET, true), Timings.ms(needleDuck.median()),
        ratio(nCold, needleDuck.median())));
    double gOn = groupOn.median();
    double gOff = groupOff.median();
    b.append(String.format(Locale.ROOT,
        "| `GROUP BY status`, `COUNT(*)`, `SUM(amount)` | %s | %s | %s | %s | %s | %s |%n",
        Timings.ms(gOn), Timings.ms(gOff), ratio(gOff, gOn),
        target(gOff / gOn, GROUP_BY_TARGET, true), Timings.ms(groupDuck.median()),
        ratio(gOn, groupDuck.median())));
    b.append("\nColumn segment cache before the emptied-cache runs: ").append(cacheUse)
        .append(".\n");
    return b.toString();
  }

  private static String heapTable(Heap on, Heap off) {
    StringBuilder b = new StringBuilder();
    b.append("| `GROUP BY status` timed runs | Heap used after `System.gc()` before the runs |"
        + " Peak heap during the runs (sum of the heap pools' peaks) | Per pool |\n");
    b.append("|---|---:|---:|---|\n");
    b.append(String.format(Locale.ROOT, "| Pushdown on | %s | **%s** | %s |%n",
        Timings.megabytes(on.usedAfterGc()), Timings.megabytes(on.peakSum()), on.pools()));
    b.append(String.format(Locale.ROOT, "| Pushdown off | %s | %s | %s |%n",
        Timings.megabytes(off.usedAfterGc()), Timings.megabytes(off.peakSum()), off.pools()));
    return b.toString();
  }

  private static String firsts(List<Timed> timed) {
    StringBuilder b = new StringBuilder();
    for (Timed t : timed) {
      b.append(b.length() == 0 ? "" : ", ").append(t.query()).append(' ').append(t.engine())
          .append(' ').append(Timings.ms(t.firstNanos()));
    }
    return b.toString();
  }

  private String markdown(MachineInfo machine, Input input, FoundationBenchmark.Load load,
      long duckLoadNanos, String duckThreads, long connectNanos, String table,
      String embeddedTable, String heapTable,
      List<Plans> plans, List<Timed> cold, Lookups lookOn) {
    StringBuilder b = new StringBuilder();
    b.append("Command: `bin/converge bench pushdown");
    for (String a : options.args()) {
      b.append(' ').append(a);
    }
    b.append("` (run ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(")\n\n");
    b.append("Machine: ").append(machine.describe()).append("; ").append(xmx()).append("\n\n");
    if (!pushdownHonoured(plans)) {
      b.append("> **WARNING:** ").append(notHonouredWarning()).append("\n\n");
    }
    b.append("### Data\n\n");
    b.append(String.format(Locale.ROOT,
        "%s sample orders (`SampleData.orders`, seed %d) as NDJSON, %s, generated beforehand"
            + " (%s, not timed); loaded with `BulkLoader` into a fresh data directory (%s docs"
            + " in %s = %,.0f docs/s, segments sealed before the close; %s on disk; load average"
            + " %.1f before, %.1f after) and into DuckDB (`read_json_auto`, in-memory table,"
            + " %s, %s threads).%n%n",
        Timings.count(options.docs()), options.seed(), Timings.megabytes(input.bytes()),
        Timings.seconds(input.genNanos()), Timings.count(load.result().loaded()),
        Timings.seconds(load.wallNanos()), load.docsPerSecond(),
        Timings.megabytes(load.dirBytes()), load.loadBefore(), load.loadAfter(),
        Timings.seconds(duckLoadNanos), duckThreads));
    b.append("### Queries\n\n");
    b.append(String.format(Locale.ROOT,
        "One `ConvergeServer` on a loopback port over the loaded directory, two Avatica remote"
            + " driver connections (protobuf) in this JVM: pushdown on (the server's URL) and"
            + " pushdown off (the same URL + `%s`, and `pushdown=false` in the connection's"
            + " `Properties`: the remote driver sends the server only those, CALCITE-4121)."
            + " Median of %d runs after %d warm-up runs; a"
            + " plain-statement run is a fresh `Statement` (as sqlline sends: parse, plan and"
            + " compile every time), execute and fetch every row. The needle is the"
            + " `customer.id` whose frequency in the generated orders is closest to 0.1%%. The"
            + " `_id` lookups are one `PreparedStatement` (`%s`) executed with random existing"
            + " ids (%s untimed first with pushdown on), each timed from execute to the result"
            + " set's close; with pushdown off only the first %d ids. DuckDB: `jdbc:duckdb:` in"
            + " the same JVM (no network hop), the same queries in its dialect"
            + " (`customer.id` is a struct field there).%n%n",
        PUSHDOWN_OFF, options.runs(), options.warmup(), LOOKUP,
        Timings.count(lookOn.warmups()), OFF_LOOKUPS));
    b.append(table).append('\n');
    if (lookOn.cut()) {
      b.append(String.format(Locale.ROOT, "> **WARNING:** only %s of the %s `_id` lookups with"
              + " pushdown on ran: they used up their time budget of %s (each one is slow: see"
              + " the lookup's plan below).%n%n", Timings.count(lookOn.nanos().length),
          Timings.count(lookOn.asked()), Timings.seconds(LOOKUP_BUDGET_NANOS)));
    }
    b.append("### In-process, without the network\n\n");
    b.append(String.format(Locale.ROOT,
        "The same directory through two embedded Calcite connections in this JVM"
            + " (`ConvergeJdbc.connect(dir, pushdown)`, after the server stopped), each query one"
            + " `PreparedStatement` prepared once, then execute and read every row; median of %d"
            + " runs after %d warm-up runs. DuckDB's figures are its prepared ones from the table"
            + " above (also in-process). This isolates the access paths from Avatica's transport,"
            + " which costs tens of milliseconds for the needle's rows.%n%n",
        options.runs(), options.warmup()));
    b.append(embeddedTable).append('\n');
    b.append(String.format(Locale.ROOT,
        "Cold start, not in the medians: server start and both connections %s; first runs %s."
            + " Highest machine load average while timing queries: %.1f (%d cores).%n%n",
        Timings.seconds(connectNanos), firsts(cold), queryLoad, machine.cores()));
    b.append("### Peak heap during the aggregation\n\n");
    b.append(String.format(Locale.ROOT,
        "The server runs in the benchmark's JVM (%s). Before each engine's timed `GROUP BY`"
            + " runs (after its warm-up runs): `System.gc()`, then every heap memory pool's peak"
            + " reset (`MemoryPoolMXBean.resetPeakUsage`); after them, the sum of the heap pools'"
            + " peak used, an upper bound of the heap in use at any moment (the pools peak at"
            + " different times). It includes the store's and the client's objects, and"
            + " short-lived garbage until a young collection (the young pools fill up to their"
            + " current size whatever is retained: the old generation's peak shows what stayed);"
            + " DuckDB's memory is native and not in it.%n%n",
        xmx()));
    b.append(heapTable).append('\n');
    b.append("### Plans\n\n`EXPLAIN PLAN FOR` on the two Converge connections");
    b.append(pushdownHonoured(plans) ? ":\n\n" : " (identical: see the warning above):\n\n");
    b.append("```\n");
    for (Plans p : plans) {
      b.append("-- ").append(p.query()).append(": ").append(p.sql()).append('\n');
      b.append("-- pushdown on").append(p.differ() ? "" : " (same plan with pushdown off)")
          .append('\n').append(p.on()).append('\n');
      if (p.differ()) {
        b.append("-- pushdown off\n").append(p.off()).append('\n');
      }
      b.append('\n');
    }
    b.setLength(b.length() - 1);
    b.append("```\n\n");
    if (problems.isEmpty()) {
      b.append("Results check: pushdown on, pushdown off and DuckDB returned the same rows"
          + " (counts equal, sums within 1e-6 relative, needle row sets equal, every lookup"
          + " exactly the row asked for).\n");
    } else {
      b.append("**Results check FAILED:**\n\n");
      for (String p : problems) {
        b.append("- ").append(p).append('\n');
      }
    }
    return b.toString();
  }
}
