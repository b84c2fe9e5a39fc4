package io.converge.bench.ssb;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Options of {@code bench ssb}: {@code --name value} or {@code --name=value}; {@code --help}.
 *
 * @param budgetSeconds per query and engine: once a query's runs on one engine have taken this
 *     long, its remaining runs are skipped (at least one timed run always happens), so a slow
 *     engine cannot stall the benchmark; the report says how many runs were timed
 * @param h2Star also time H2 on the star form (nested-loop joins on the dimensions' primary keys)
 */
public record SsbOptions(double scaleFactor, long seed, int runs, int warmup, int budgetSeconds,
    boolean h2Star, Path dataDir, Path out, boolean help) {

  public static final String HELP = String.join("\n",
      "  ssb: generates the Star Schema Benchmark at scale factor --sf (normalized tables and",
      "  lineorder_flat), loads it into Converge (BulkLoader, one collection per table), DuckDB",
      "  and H2 (on-disk, in-process), checks that the 13 queries return the same rows on all",
      "  three and times them through the Avatica driver (plain and prepared statements) on the",
      "  flat table and on the star schema; writes an 'SSB benchmark' section.",
      "  --sf X           scale factor, fractions allowed (default 1: 6M line orders)",
      "  --runs N, --warmup N, --seed N, --data-dir DIR, --out FILE: as below (defaults 5, 2,",
      "                   42; the data directory receives Converge's collections)",
      "  --budget-seconds N  per query and engine: stop timing after N seconds (default 60)",
      "  --h2-star false  skip H2 on the star form (default true)");

  public static SsbOptions parse(String[] args) {
    double sf = 1;
    long seed = 42;
    int runs = 5;
    int warmup = 2;
    int budget = 60;
    boolean h2Star = true;
    Path dataDir = null;
    Path out = Path.of("docs", "benchmarks.md");
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        help = true;
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq >= 0 ? arg.substring(0, eq) : arg;
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("option " + arg + " needs a value");
      }
      switch (name) {
        case "--sf" -> sf = scaleFactor(value);
        case "--seed" -> seed = number(name, value, Long.MIN_VALUE);
        case "--runs" -> runs = (int) number(name, value, 1);
        case "--warmup" -> warmup = (int) number(name, value, 0);
        case "--budget-seconds" -> budget = (int) number(name, value, 1);
        case "--h2-star" -> h2Star = bool(name, value);
        case "--data-dir" -> dataDir = Path.of(value);
        case "--out" -> out = value.equals("none") ? null : Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    return new SsbOptions(sf, seed, runs, warmup, budget, h2Star, dataDir, out, help);
  }

  private static double scaleFactor(String v) {
    double sf;
    try {
      sf = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--sf needs a number, not '" + v + "'");
    }
    if (!(sf > 0) || sf > 1000) {
      throw new IllegalArgumentException("--sf must be above 0 and at most 1000, not " + v);
    }
    return sf;
  }

  private static long number(String name, String v, long min) {
    long n;
    try {
      n = Long.parseLong(v.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a number, not '" + v + "'");
    }
    if (n < min || (min >= 0 && n > 1_000_000)) {
      throw new IllegalArgumentException(name + " must be between " + min
          + " and 1,000,000, not " + n);
    }
    return n;
  }

  private static boolean bool(String name, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException(name + " needs true or false, not '" + v
          + "'");
    };
  }
}
