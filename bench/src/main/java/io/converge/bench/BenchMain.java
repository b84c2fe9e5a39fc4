package io.converge.bench;

import io.converge.bench.cluster.ClusterBenchOptions;
import io.converge.bench.cluster.ClusterBenchmark;
import io.converge.bench.ssb.SsbBenchmark;
import io.converge.bench.ssb.SsbEnvironment;
import io.converge.bench.ssb.SsbOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Entry point of Converge's checked-in benchmarks ({@code bin/converge bench ...}).
 *
 * <pre>
 * BenchMain foundation [--docs 1000000] [--data-dir DIR] [--runs 5] [--warmup 3]
 *                      [--seed 42] [--out docs/benchmarks.md]
 * BenchMain pushdown   [--docs 5000000] [--data-dir DIR] [--runs 5] [--warmup 3]
 *                      [--lookups 10000] [--seed 42] [--out docs/benchmarks.md]
 * BenchMain ingest     [--docs 1000000] [--threads 4] [--batch 1000] [--rates 1000,10000,max]
 *                      [--latency-seconds 10] [--runs 10] [--warmup 3] [--data-dir DIR]
 *                      [--warmup-docs N] [--settle-seconds 30] [--seed 42]
 *                      [--out docs/benchmarks.md]
 * BenchMain kafka      [--docs 500000] [--partitions 2] [--rate 10000] [--latency-seconds 20]
 *                      [--warmup-docs N] [--settle-seconds 30] [--seed 42]
 *                      [--out docs/benchmarks.md]
 * BenchMain ssb        [--sf 1] [--runs 5] [--warmup 2] [--budget-seconds 60] [--h2-star true]
 *                      [--data-dir DIR] [--seed 42] [--out docs/benchmarks.md]
 * BenchMain wire       [--docs 1000000] [--queries 2000] [--runs 10] [--warmup 3]
 *                      [--data-dir DIR] [--seed 42] [--out docs/benchmarks.md]
 * BenchMain cluster    [--sf 1] [--runs 5] [--warmup 2] [--lookups 2000] [--write-docs 200000]
 *                      [--rate 10000] [--seconds 20] [--leaf-heap 2g] [--skip-ssb]
 *                      [--skip-writes] [--dir DIR] [--seed 42] [--out docs/benchmarks.md]
 * BenchMain log-format [--docs 200000] [--runs 5] [--warmup 3] [--seed 42]
 *                      [--out docs/benchmarks.md]
 * BenchMain load       [--clients 8] [--seconds 120] [--idle-seconds 120] [--rate 5000]
 *                      [--docs 1000000] [--data-dir DIR] [--out docs/benchmarks.md]
 * </pre>
 */
public final class BenchMain {
  static final String USAGE = String.join("\n",
      "usage: converge bench foundation [options]",
      "       converge bench pushdown [options]",
      "       converge bench ingest [options]",
      "       converge bench ssb [options]",
      "       converge bench kafka [options]",
      "       converge bench load [options]",
      "       converge bench wire [options]",
      "       converge bench cluster [options]",
      "       converge bench log-format [options]",
      "",
      "  foundation: bulk-loads N generated orders into a fresh data directory (all indexes),",
      "  then times SELECT COUNT(*) and a GROUP BY through the Avatica remote driver against",
      "  DuckDB (in-process, in-memory) over the same documents, and writes the figures to a",
      "  'Foundation benchmark' section of a markdown file.",
      "",
      "  pushdown: loads N orders (default 5,000,000), then times a 0.1% needle, a GROUP BY",
      "  and _id point lookups through the Avatica remote driver with the planner rules on and",
      "  off (;pushdown=false), against DuckDB, with the server's peak heap during the GROUP BY,",
      "  the EXPLAIN plans of both connections and a check that all three return the same rows;",
      "  writes a 'Pushdown benchmark' section.",
      "",
      "  ingest: starts a server over a fresh data directory and posts N orders (default",
      "  1,000,000) through the HTTP write API from --threads client threads in --batch-doc",
      "  NDJSON batches (docs/s, every index built); then, for each of --rates (docs/s, 'max'",
      "  for one unthrottled writer), posts small batches for --latency-seconds while a reader",
      "  polls _id = ? through the Avatica driver for the last acknowledged document",
      "  (ack-to-visible p50/p95/p99); then times a needle and a GROUP BY idle and under a",
      "  10k docs/s writer; writes an 'Ingest benchmark' section.",
      "  --threads N, --batch N, --rates LIST, --latency-seconds N: ingest only (defaults 4,",
      "                   1000, 1000,10000,max, 10)",
      "  --warmup-docs N: ingest: documents posted over HTTP into a scratch collection",
      "                   before the timed phase (default 4x --docs, at most 1,000,000);",
      "                   kafka: documents tailed from a warm-up topic (default --docs)",
      "  --settle-seconds N: ingest, kafka: before each timed write path, the longest wait for",
      "                   RocksDB's flushes and compactions and for the JIT's compile queue",
      "                   left by its warm-up (default 30)",
      "",
      "  kafka: starts a single-node Kafka broker on loopback (a child JVM), produces N orders",
      "  (default 500,000) over --partitions partitions, then, after an untimed warm-up that",
      "  tails --warmup-docs other orders (default N) into a scratch collection and drops it,",
      "  times a tailer reading them into a",
      "  fresh data directory (docs/s, every index built, offsets in the same batch); then a",
      "  producer sends --rate docs/s (default 10,000) to a second tailed topic for",
      "  --latency-seconds (default 20) while a reader polls _id = ? through the Avatica driver",
      "  (produce-to-visible p50/p95/p99); writes a 'Kafka tailer benchmark' section.",
      "",
      "  load: starts a server over a fresh data directory, loads --docs documents (default",
      "  1,000,000) through the HTTP API, then --clients Avatica connections (default 8) run a",
      "  mix of needle (0.1%), GROUP BY and _id lookup queries for --idle-seconds on the idle",
      "  server (default: --seconds; 0 skips it) and for --seconds (default 120) while a writer",
      "  posts --rate docs/s (default 5000); queries/s, p50/p99 per kind, errors (must be 0),",
      "  final counts against what was written; writes a 'Load benchmark' section.",
      "",
      "  wire: the fixed cost of a query through the Avatica driver with the client's default",
      "  settings: loads --docs orders (default 1,000,000), then times --queries (default",
      "  2000) plain and prepared `values 1` and `_id` lookups (p50/p99) and a 1% needle",
      "  (\"customer.country\" = 'PL', every row read) against the same filter hidden from the",
      "  index, with DuckDB in-process in the same run; writes a 'Wire benchmark' section.",
      "  --queries N: wire only; --runs/--warmup: needle runs (defaults 10 and 3)",
      "",
      "  log-format: the cluster's log format in one process: per document, the CPU of",
      "  turning a parsed document into a record value (aggregator) and of turning polls of",
      "  records into prepared documents (leaf), as JSON text and in the binary form",
      "  aggregators write, in the same run; --docs (default 200,000), --runs, --warmup;",
      "  writes a 'Log format benchmark' section.",
      "",
      SsbOptions.HELP,
      "",
      ClusterBenchOptions.HELP,
      "",
      "  --docs N         orders to generate and load (default 1000000; pushdown 5000000)",
      "  --data-dir DIR   where to load them; must be empty or absent (default: a temporary",
      "                   directory, deleted afterwards)",
      "  --runs N         timed runs per query; the median is reported (default 5)",
      "  --warmup N       untimed runs per query first (default 3)",
      "  --lookups N      pushdown only: timed _id lookups (default 10000)",
      "  --seed N         generator seed (default 42)",
      "  --out FILE       markdown file whose section is written or replaced; 'none' to skip",
      "                   (default docs/benchmarks.md)");

  private BenchMain() {}

  public static void main(String[] args) {
    int rc = run(args, System.out, System.err);
    System.out.flush();
    System.err.flush();
    // Exit explicitly: client and server threads of the run must not keep the JVM alive.
    System.exit(rc);
  }

  /** Runs a sub-command; returns the process exit status (0 ok, 1 failed check, 2 usage). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    return switch (command) {
      case "foundation" -> foundation(rest, out, err);
      case "pushdown" -> pushdown(rest, out, err);
      case "ingest" -> ingest(rest, out, err);
      case "ssb" -> ssb(rest, out, err);
      case "kafka" -> kafka(rest, out, err);
      case "load" -> load(rest, out, err);
      case "wire" -> wire(rest, out, err);
      case "cluster" -> cluster(rest, out, err);
      case "log-format" -> logFormat(rest, out, err);
      default -> {
        err.println("unknown benchmark '" + command + "'; available: foundation, pushdown,"
            + " ingest, kafka, ssb, load, wire, cluster, log-format");
        err.println(USAGE);
        yield 2;
      }
    };
  }

  private static int foundation(String[] rest, PrintStream out, PrintStream err) {
    return runBenchmark("foundation", out, err, () -> FoundationBenchmark.Options.parse(rest),
        FoundationBenchmark.Options::help,
        options -> new FoundationBenchmark(options, out, err).run());
  }

  private static int pushdown(String[] rest, PrintStream out, PrintStream err) {
    return runBenchmark("pushdown", out, err, () -> PushdownBenchmark.Options.parse(rest),
        PushdownBenchmark.Options::help,
        options -> new PushdownBenchmark(options, out, err).run());
  }

  private static int ingest(String[] rest, PrintStream out, PrintStream err) {
    return runBenchmark("ingest", out, err, () -> IngestBenchmark.Options.parse(rest),
        IngestBenchmark.Options::help,
        options -> new IngestBenchmark(options, out, err).run());
  }

  private static int kafka(String[] rest, PrintStream out, PrintStream err) {
    return runBenchmark("kafka", out, err, () -> TailerBenchmark.Options.parse(rest),
        TailerBenchmark.Options::help,
        options -> new TailerBenchmark(options, out, err).run());
  }

  private static int load(String[] rest, PrintStream out, PrintStream err) {
    return runBenchmark("load", out, err, () -> LoadBenchmark.Options.parse(rest),
        LoadBenchmark.Options::help, options -> new LoadBenchmark(options, out, err).run());
  }

  private static int wire(String[] rest, PrintStream out, PrintStream err) {
    return runBenchmark("wire", out, err, () -> WireBenchmark.Options.parse(rest),
        WireBenchmark.Options::help, options -> new WireBenchmark(options, out, err).run());
  }

  private static int cluster(String[] rest, PrintStream out, PrintStream err) {
    return runBenchmark("cluster", out, err, () -> ClusterBenchOptions.parse(rest),
        ClusterBenchOptions::help, options -> new ClusterBenchmark(options,
            MachineInfo.current().describe(), out, err).run());
  }

  private static int logFormat(String[] rest, PrintStream out, PrintStream err) {
    return runBenchmark("log-format", out, err, () -> LogFormatBenchmark.Options.parse(rest),
        LogFormatBenchmark.Options::help, options -> new LogFormatBenchmark(options, out).run());
  }

  private static int ssb(String[] rest, PrintStream out, PrintStream err) {
    return runBenchmark("ssb", out, err, () -> SsbOptions.parse(rest), SsbOptions::help,
        options -> new SsbBenchmark(options, out, err, SSB_ENVIRONMENT).run());
  }

  /** The shared helpers of this package, for the SSB benchmark in its own package. */
  static final SsbEnvironment SSB_ENVIRONMENT = new SsbEnvironment() {
    @Override
    public String machine() {
      return MachineInfo.current().describe();
    }

    @Override
    public double loadAverage() {
      return SystemLoad.loadAverage();
    }

    @Override
    public void writeSection(Path file, String heading, String body) throws IOException {
      MarkdownSection.write(file, heading, body);
    }
  };

  /** A benchmark run: the options it parses and the run itself, which says whether checks held. */
  private interface Run<O> {
    boolean run(O options) throws Exception;
  }

  /** Parses, shows help or runs; 0 when every check held, 1 when one failed, 2 on bad usage. */
  private static <O> int runBenchmark(String name, PrintStream out, PrintStream err,
      java.util.function.Supplier<O> parse, java.util.function.Predicate<O> help, Run<O> run) {
    O options;
    try {
      options = parse.get();
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (help.test(options)) {
      out.println(USAGE);
      return 0;
    }
    try {
      return run.run(options) ? 0 : 1;
    } catch (Exception e) {
      err.println(name + " benchmark failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }
}
