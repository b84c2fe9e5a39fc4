package io.converge.bench.cluster;

import io.converge.bench.OptionArgs;
import java.nio.file.Path;

/**
 * Options of {@code bench cluster}.
 *
 * @param scaleFactor SSB scale factor of {@code lineorder_flat}
 * @param runs timed runs per query (the median is reported)
 * @param warmup untimed runs per query first
 * @param lookups timed {@code _id} lookups per kind
 * @param writeDocs documents of the write-path throughput phase
 * @param rate documents/s of the latency phase
 * @param seconds length of the latency phase
 * @param dir work directory (null: a temporary one, deleted afterwards)
 * @param leafHeap a leaf's heap; the one-process server gets the same
 * @param skipSsb leave out the SSB and lookup parts
 * @param skipWrites leave out the write path
 * @param out markdown file whose section is written, or null
 */
public record ClusterBenchOptions(double scaleFactor, int runs, int warmup, int lookups,
    long writeDocs, int rate, int seconds, Path dir, String leafHeap, boolean skipSsb,
    boolean skipWrites, long seed, Path out, boolean help) {

  public static final String HELP = String.join("\n",
      "  cluster: the cluster's costs next to one process, in one run. SSB flat (lineorder_flat",
      "  at --sf, default 1) is bulk-loaded into a one-process server (a child JVM with the",
      "  leaf heap) and produced once to the collection's Kafka topic, keyed by _id; a 1-leaf",
      "  and then a 3-leaf cluster (16 partitions, the same broker and topic, the first",
      "  stopped before the second starts) apply it. The 13 flat queries run as prepared",
      "  statements through the Avatica driver on each system (median of --runs after",
      "  --warmup, results checked equal), with every process's CPU time per query from",
      "  /proc; then --lookups _id lookups (plain and prepared, p50/p99) on the one-process",
      "  server and the 3-leaf aggregator; then the write path on the 3-leaf cluster:",
      "  --write-docs documents (default 200,000) posted as NDJSON by 4 threads (docs/s, CPU",
      "  per document per role) and --rate docs/s (default 10,000) for --seconds (default",
      "  20), posted on schedule by 16 threads, with acknowledgement-to-visible p50/p95/p99",
      "  through a prepared _id lookup and that lookup's own time beside it. Writes a",
      "  'Cluster benchmark' section.",
      "  --sf X, --runs N (5), --warmup N (2), --lookups N (2000), --write-docs N,",
      "  --rate N, --seconds N, --leaf-heap SIZE (2g), --skip-ssb, --skip-writes,",
      "  --dir DIR (work directory, must be empty or absent; default a temporary one);",
      "  below --sf 0.1 (a smoke run) the defaults are --lookups 50 --write-docs 20000",
      "  --seconds 5");

  public static ClusterBenchOptions parse(String[] args) {
    double sf = 1;
    long runs = 5;
    long warmup = 2;
    Long lookups = null;
    Long writeDocs = null;
    long rate = 10_000;
    Long seconds = null;
    Path dir = null;
    String leafHeap = "2g";
    boolean skipSsb = false;
    boolean skipWrites = false;
    long seed = 42;
    Path out = Path.of("docs/benchmarks.md");
    OptionArgs a = new OptionArgs(bareFlags(args));
    while (a.next()) {
      String v = a.value();
      switch (a.name()) {
        case "--sf" -> sf = scaleFactor(v);
        case "--runs" -> runs = OptionArgs.positive("--runs", v);
        case "--warmup" -> warmup = OptionArgs.nonNegative("--warmup", v);
        case "--lookups" -> lookups = OptionArgs.positive("--lookups", v);
        case "--write-docs" -> writeDocs = OptionArgs.positive("--write-docs", v);
        case "--rate" -> rate = OptionArgs.positive("--rate", v);
        case "--seconds" -> seconds = OptionArgs.positive("--seconds", v);
        case "--dir" -> dir = Path.of(v);
        case "--leaf-heap" -> leafHeap = heap(v);
        case "--skip-ssb" -> skipSsb = bool("--skip-ssb", v);
        case "--skip-writes" -> skipWrites = bool("--skip-writes", v);
        case "--seed" -> seed = OptionArgs.number("--seed", v);
        case "--out" -> out = v.equals("none") ? null : Path.of(v);
        default -> throw a.unknown();
      }
    }
    // below SF 0.1 a smoke run: the other phases shrink with it unless given
    boolean smoke = sf < 0.1;
    return new ClusterBenchOptions(sf, (int) runs, (int) warmup,
        (int) (long) (lookups != null ? lookups : smoke ? 50 : 2000),
        writeDocs != null ? writeDocs : smoke ? 20_000 : 200_000, (int) rate,
        (int) (long) (seconds != null ? seconds : smoke ? 5 : 20), dir, leafHeap, skipSsb,
        skipWrites, seed, out, a.help());
  }

  /** {@code --skip-ssb} and {@code --skip-writes} may stand alone: they mean {@code =true}. */
  static String[] bareFlags(String[] args) {
    java.util.List<String> l = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      boolean flag = arg.equals("--skip-ssb") || arg.equals("--skip-writes");
      boolean valued = i + 1 < args.length && args[i + 1].matches("true|false|yes|no");
      l.add(flag && !valued ? arg + "=true" : arg);
    }
    return l.toArray(new String[0]);
  }

  private static double scaleFactor(String v) {
    try {
      double sf = Double.parseDouble(v);
      if (!(sf > 0) || sf > 100) {
        throw new IllegalArgumentException("--sf must be in (0, 100], not " + v);
      }
      return sf;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--sf needs a number, not '" + v + "'");
    }
  }

  private static String heap(String v) {
    if (!v.matches("[0-9]+[kKmMgG]?")) {
      throw new IllegalArgumentException("--leaf-heap needs a JVM heap size such as 512m or 2g,"
          + " not '" + v + "'");
    }
    return v;
  }

  private static boolean bool(String name, String v) {
    return switch (v) {
      case "true", "yes" -> true;
      case "false", "no" -> false;
      default -> throw new IllegalArgumentException(name + " needs true or false, not '" + v + "'");
    };
  }
}
