package io.converge.bench;

import io.converge.examples.SampleData;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The fixed cost of a query through the wire: small queries and a 1% needle through the Avatica
 * remote driver with the client's default settings (fetch size, no statement caching of its
 * own), against DuckDB in-process in the same run.
 *
 * <ul>
 *   <li>{@code values 1} and an {@code _id} lookup, each as a plain {@code Statement} (a fresh
 *       statement per query, as sqlline, DBeaver and dashboards do) and as a
 *       {@code PreparedStatement} executed again and again: p50 and p99 per query;
 *   <li>a needle ({@code "customer.country" = 'PL'}, about 1% of the orders, a few thousand rows
 *       read in full) through the index, against the same filter hidden from the index
 *       ({@code "customer.country" || '' = 'PL'}, a scan of every order) and against DuckDB.
 * </ul>
 */
final class WireBenchmark {
  static final String HEADING = "Wire benchmark";
  static final String NEEDLE_COUNTRY = "PL";
  static final String NEEDLE = "select \"_id\", amount, status from orders"
      + " where \"customer.country\" = '" + NEEDLE_COUNTRY + "'";
  static final String HIDDEN = "select \"_id\", amount, status from orders"
      + " where \"customer.country\" || '' = '" + NEEDLE_COUNTRY + "'";
  static final String DUCK_NEEDLE = "select _id, amount, status from orders"
      + " where customer.country = '" + NEEDLE_COUNTRY + "'";
  static final String LOOKUP_PREPARED = "select * from orders where \"_id\" = ?";
  static final String DUCK_LOOKUP_PREPARED = "select * from orders where _id = ?";

  record Options(long docs, int queries, int runs, int warmup, Path dataDir, long seed, Path out,
      boolean help) {
    static Options parse(String[] args) {
      long docs = 1_000_000;
      int queries = 2_000;
      int runs = 10;
      int warmup = 3;
      Path dataDir = null;
      long seed = SampleData.DEMO_SEED;
      Path out = Path.of("docs", "benchmarks.md");
      OptionArgs it = new OptionArgs(args);
      while (it.next()) {
        String name = it.name();
        String value = it.value();
        switch (name) {
          case "--docs" -> docs = OptionArgs.positive(name, value);
          case "--queries" -> queries = (int) Math.min(10_000_000,
              OptionArgs.positive(name, value));
          case "--runs" -> runs = (int) OptionArgs.positive(name, value);
          case "--warmup" -> warmup = (int) OptionArgs.nonNegative(name, value);
          case "--data-dir" -> dataDir = Path.of(value);
          case "--seed" -> seed = OptionArgs.number(name, value);
          case "--out" -> out = value.equals("none") ? null : Path.of(value);
          default -> throw it.unknown();
        }
      }
      return new Options(docs, queries, runs, warmup, dataDir, seed, out, it.help());
    }
  }

  /** Latencies of one small query on one engine, nanoseconds. */
  record Latency(String engine, String name, long[] nanos) {
    long p50() {
      return Timings.percentile(nanos, 50);
    }

    long p99() {
      return Timings.percentile(nanos, 99);
    }
  }

  /** The generated orders: the file, the needle's count and ids to look up. */
  record Input(Path file, long needleCount, List<String> ids) {}

  private final Options options;
  private final PrintStream out;
  private final PrintStream err;

  WireBenchmark(Options options, PrintStream out, PrintStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  boolean run() throws IOException, SQLException {
    MachineInfo machine = MachineInfo.current();
    out.println("Wire benchmark: " + Timings.count(options.docs()) + " orders, "
        + Timings.count(options.queries()) + " timed small queries per kind, "
        + options.runs() + " timed needle runs after " + options.warmup() + " warm-up runs");
    out.println("Machine: " + machine.describe());
    if (options.dataDir() != null) {
      FoundationBenchmark.checkFresh(options.dataDir());
    }
    Path work = Files.createTempDirectory("converge-bench-wire-");
    Path dataDir = options.dataDir() != null ? options.dataDir() : work.resolve("data");
    try {
      Input input = generate(work.resolve("orders.ndjson"));
      out.printf(Locale.ROOT, "Needle \"customer.country\" = '%s': %s orders (%.2f%%)%n",
          NEEDLE_COUNTRY, Timings.count(input.needleCount()),
          100.0 * input.needleCount() / options.docs());
      FoundationBenchmark.Load load =
          FoundationBenchmark.load(input.file(), dataDir, options.docs(), err, true);
      out.printf(Locale.ROOT, "Converge bulk load: %s docs in %s (not timed further)%n",
          Timings.count(load.result().loaded()), Timings.seconds(load.wallNanos()));

      List<String> problems = new ArrayList<>();
      List<Latency> converge = new ArrayList<>();
      FoundationBenchmark.Timed needle;
      FoundationBenchmark.Timed hidden;
      long needleFrames;
      String url;
      ConvergeServer server = ConvergeServer.start(
          new ServerOptions(dataDir, ServerOptions.DEFAULT_HOST, 0, ServerOptions.PROTOBUF));
      try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
        url = server.jdbcUrl();
        out.println("Converge server at " + url + " (the client's default settings)");
        String id = input.ids().get(0);
        converge.add(plain("Converge", c, "values 1, plain", i -> "values 1"));
        converge.add(prepared("Converge", c, "values 1, prepared", "values 1", null));
        converge.add(plain("Converge", c, "_id lookup, plain (same text)",
            i -> "select * from orders where \"_id\" = '" + id + "'"));
        converge.add(plain("Converge", c, "_id lookup, plain (a new id each time)",
            i -> "select * from orders where \"_id\" = '" + input.ids().get(i) + "'"));
        converge.add(prepared("Converge", c, "_id lookup, prepared", LOOKUP_PREPARED,
            input.ids()));
        long frames0 = server.meta().framesServed();
        needle = timed("Converge", c, NEEDLE);
        needleFrames = (server.meta().framesServed() - frames0)
            / (options.warmup() + options.runs());
        out.println("Needle through the index: " + needleFrames + " frame(s) per query");
        hidden = timed("Converge", c, HIDDEN);
      } finally {
        server.stop();
      }

      List<Latency> duck = new ArrayList<>();
      FoundationBenchmark.Timed duckNeedle;
      try (Connection d = DriverManager.getConnection("jdbc:duckdb:")) {
        try (Statement s = d.createStatement()) {
          s.execute("create table orders as select * from read_json_auto('"
              + input.file().toAbsolutePath().toString().replace("'", "''")
              + "', format = 'newline_delimited')");
        }
        String id = input.ids().get(0);
        duck.add(plain("DuckDB", d, "values 1, plain", i -> "select 1"));
        duck.add(prepared("DuckDB", d, "values 1, prepared", "select 1", null));
        duck.add(plain("DuckDB", d, "_id lookup, plain (same text)",
            i -> "select * from orders where _id = '" + id + "'"));
        duck.add(plain("DuckDB", d, "_id lookup, plain (a new id each time)",
            i -> "select * from orders where _id = '" + input.ids().get(i) + "'"));
        duck.add(prepared("DuckDB", d, "_id lookup, prepared", DUCK_LOOKUP_PREPARED,
            input.ids()));
        duckNeedle = timed("DuckDB", d, DUCK_NEEDLE);
      }

      check(problems, "needle through the index", needle.last().rows().size(),
          input.needleCount());
      check(problems, "needle hidden from the index", hidden.last().rows().size(),
          input.needleCount());
      check(problems, "DuckDB's needle", duckNeedle.last().rows().size(), input.needleCount());
      String diff = QueryResult.difference(needle.last(), duckNeedle.last(), 1e-9);
      if (diff != null) {
        problems.add("needle: Converge and DuckDB differ: " + diff);
      }

      String table = table(converge, duck, needle, hidden, duckNeedle, input.needleCount(),
          needleFrames);
      out.println();
      out.print(table);
      for (String p : problems) {
        err.println("RESULT CHECK FAILED: " + p);
      }
      if (problems.isEmpty()) {
        out.println("Results check: every lookup returned its order; the needle returned the"
            + " same " + Timings.count(input.needleCount()) + " rows on every path.");
      }
      if (options.out() != null) {
        MarkdownSection.write(options.out(), HEADING, markdown(machine, url, table, problems));
        out.println("Wrote section '" + HEADING + "' of " + options.out());
      }
      return problems.isEmpty();
    } finally {
      FoundationBenchmark.deleteTree(work);
    }
  }

  private static void check(List<String> problems, String what, long rows, long expected) {
    if (rows != expected) {
      problems.add(what + " returned " + rows + " rows, expected " + expected);
    }
  }

  /** Writes the orders while counting the needle and picking ids to look up. */
  Input generate(Path file) throws IOException {
    long docs = options.docs();
    int wanted = 2 * options.queries(); // timed ids, then other ids for the warm-up
    SplittableRandom pick = new SplittableRandom(options.seed() * 31 + 11);
    java.util.Set<Long> chosen = new java.util.HashSet<>();
    for (int i = 0; i < wanted; i++) {
      chosen.add(pick.nextLong(docs));
    }
    List<String> ids = new ArrayList<>();
    long[] needle = {0};
    ObservedOrders.write(file, docs, options.seed(), (index, o) -> {
      if (o.get("customer") instanceof Map<?, ?> customer
          && NEEDLE_COUNTRY.equals(customer.get("country"))) {
        needle[0]++;
      }
      if (chosen.contains(index)) {
        ids.add(String.valueOf(o.get("_id")));
      }
    });
    java.util.Collections.shuffle(ids, new java.util.Random(options.seed()));
    while (ids.size() < wanted) {
      ids.addAll(List.copyOf(ids.subList(0, Math.min(ids.size(), wanted - ids.size()))));
    }
    return new Input(file, needle[0], ids);
  }

  /** A fresh plain statement per query, every row read: warm-up queries, then timed ones. */
  private Latency plain(String engine, Connection c, String name,
      java.util.function.IntFunction<String> sql) throws SQLException {
    return time(engine, name, i -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.apply(i))) {
        return readAll(rs);
      }
    });
  }

  /** One prepared statement executed again and again ({@code params}: one per execution). */
  private Latency prepared(String engine, Connection c, String name, String sql,
      List<String> params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      return time(engine, name, i -> {
        if (params != null) {
          ps.setString(1, params.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          return readAll(rs);
        }
      });
    }
  }

  /** A one-row query of the {@code i}-th kind; answers the rows it read. */
  private interface OneRowQuery {
    int run(int i) throws SQLException;
  }

  /**
   * Runs {@link #warmupQueries} untimed, then {@code options.queries()} timed executions; the
   * warm-up cycles through the same indexes as the timed runs.
   */
  private Latency time(String engine, String name, OneRowQuery query) throws SQLException {
    int warm = warmupQueries();
    long[] nanos = new long[options.queries()];
    for (int i = -warm; i < nanos.length; i++) {
      long t0 = System.nanoTime();
      int rows = query.run(i < 0 ? nanos.length + (-i - 1) % nanos.length : i);
      if (rows != 1) {
        throw new IllegalStateException(engine + " " + name + " returned " + rows + " rows");
      }
      if (i >= 0) {
        nanos[i] = System.nanoTime() - t0;
      }
    }
    return report(new Latency(engine, name, nanos));
  }

  private static int readAll(ResultSet rs) throws SQLException {
    int rows = 0;
    while (rs.next()) {
      rs.getObject(1);
      rows++;
    }
    return rows;
  }

  /**
   * Untimed small queries before the timed ones: as many as are timed, so that both processes'
   * JIT has compiled the request path (a server answers many small queries; DuckDB is native).
   */
  private int warmupQueries() {
    return Math.max(options.warmup() * 10, options.queries());
  }

  private Latency report(Latency l) {
    err.printf(Locale.ROOT, "  %s %s: p50 %s, p99 %s%n", l.engine(), l.name(),
        Timings.latency(l.p50()), Timings.latency(l.p99()));
    return l;
  }

  private FoundationBenchmark.Timed timed(String engine, Connection c, String sql)
      throws SQLException {
    long first = -1;
    for (int i = 0; i < options.warmup(); i++) {
      long n = QueryResult.run(c, sql).nanos();
      first = first < 0 ? n : first;
    }
    long[] nanos = new long[options.runs()];
    QueryResult last = null;
    for (int i = 0; i < nanos.length; i++) {
      last = QueryResult.run(c, sql);
      nanos[i] = last.nanos();
    }
    FoundationBenchmark.Timed t = new FoundationBenchmark.Timed(engine,
        new FoundationBenchmark.Query(sql, sql), first < 0 ? nanos[0] : first, nanos, last);
    err.printf(Locale.ROOT, "  %s %s: median %s (%d rows)%n", engine, sql,
        Timings.ms(t.median()), last.rows().size());
    return t;
  }

  static String table(List<Latency> converge, List<Latency> duck,
      FoundationBenchmark.Timed needle, FoundationBenchmark.Timed hidden,
      FoundationBenchmark.Timed duckNeedle, long needleRows, long needleFrames) {
    StringBuilder b = new StringBuilder();
    b.append("| Query (Avatica driver, default settings) | Converge p50 | Converge p99 |"
        + " DuckDB p50 | DuckDB p99 | Converge / DuckDB (p50) |\n");
    b.append("|---|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < converge.size(); i++) {
      Latency c = converge.get(i);
      Latency d = duck.get(i);
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.1fx |%n", c.name(),
          Timings.latency(c.p50()), Timings.latency(c.p99()), Timings.latency(d.p50()),
          Timings.latency(d.p99()), (double) c.p50() / Math.max(1, d.p50())));
    }
    b.append('\n');
    b.append("| Needle, " + Timings.count(needleRows) + " rows, plain `Statement` (median) |"
        + " Time | Ratio |\n");
    b.append("|---|---:|---:|\n");
    b.append(String.format(Locale.ROOT, "| Through the index: `%s` (%d frame%s per query) | %s |"
        + " |%n", "\"customer.country\" = 'PL'", needleFrames, needleFrames == 1 ? "" : "s",
        Timings.ms(needle.median())));
    b.append(String.format(Locale.ROOT, "| Hidden from the index (a scan): `%s` | %s |"
        + " index path %.1fx faster |%n", "\"customer.country\" \\|\\| '' = 'PL'",
        Timings.ms(hidden.median()), hidden.median() / needle.median()));
    b.append(String.format(Locale.ROOT, "| DuckDB in-process: `customer.country = 'PL'` | %s |"
        + " Converge through the wire / DuckDB %.1fx |%n", Timings.ms(duckNeedle.median()),
        needle.median() / duckNeedle.median()));
    return b.toString();
  }

  private String markdown(MachineInfo machine, String url, String table, List<String> problems) {
    StringBuilder b = new StringBuilder();
    b.append("Command: `bin/converge bench wire");
    for (String a : argsOf()) {
      b.append(' ').append(a);
    }
    b.append("`\n\n");
    b.append("Machine: ").append(machine.describe()).append(". ")
        .append(Timings.count(options.docs())).append(" generated orders (seed ")
        .append(options.seed()).append("), bulk-loaded; queries through the Avatica remote")
        .append(" driver (`").append(url.replaceAll(":[0-9]+;", ":PORT;"))
        .append("`, default fetch size) on loopback; DuckDB in-process (in-memory table read")
        .append(" from the same NDJSON) in the same run. Small queries: ")
        .append(Timings.count(options.queries())).append(" timed per kind after as many untimed;")
        .append(" a plain query is createStatement + executeQuery + read + close. Needle: median")
        .append(" of ").append(options.runs()).append(" runs after ").append(options.warmup())
        .append(" warm-up runs, every row read.\n\n");
    b.append(table);
    if (!problems.isEmpty()) {
      b.append("\nRESULT CHECK FAILED: ").append(String.join("; ", problems)).append('\n');
    }
    return b.toString();
  }

  private List<String> argsOf() {
    List<String> a = new ArrayList<>();
    a.add("--docs " + options.docs());
    a.add("--queries " + options.queries());
    a.add("--runs " + options.runs());
    a.add("--warmup " + options.warmup());
    return a;
  }
}
