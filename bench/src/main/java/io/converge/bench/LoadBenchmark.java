package io.converge.bench;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code converge bench load}: the concurrency load test of issue 6 ({@link LoadRun}) on a real
 * server over a fresh data directory: {@code --docs} documents loaded through the HTTP API, then
 * {@code --clients} Avatica connections run the needle / GROUP BY / {@code _id} lookup mix for
 * {@code --seconds}, first on the idle server (the peer: same mix, no ingest; skipped with
 * {@code --idle-seconds 0}), then while a writer posts {@code --rate} docs/s. Reports queries/s
 * and p50/p99 per kind, errors (must be 0) and whether the final counts match what was written;
 * writes a "Load benchmark" section.
 */
final class LoadBenchmark {
  static final String HEADING = "Load benchmark";
  static final String COLLECTION = "load_events";

  record Options(int clients, long seconds, long idleSeconds, long rate, long docs, Path dataDir,
      Path out, boolean help) {
    static Options parse(String[] args) {
      int clients = 8;
      long seconds = 120;
      Long idleSeconds = null;
      long rate = 5000;
      long docs = 1_000_000;
      Path dataDir = null;
      Path out = Path.of("docs", "benchmarks.md");
      OptionArgs it = new OptionArgs(args);
      while (it.next()) {
        String name = it.name();
        String value = it.value();
        switch (name) {
          case "--clients" -> clients = (int) OptionArgs.positive(name, value);
          case "--seconds" -> seconds = OptionArgs.positive(name, value);
          case "--idle-seconds" -> idleSeconds = OptionArgs.nonNegative(name, value);
          case "--rate" -> rate = OptionArgs.nonNegative(name, value);
          case "--docs" -> docs = OptionArgs.nonNegative(name, value);
          case "--data-dir" -> dataDir = Path.of(value);
          case "--out" -> out = value.equals("none") ? null : Path.of(value);
          default -> throw it.unknown();
        }
      }
      return new Options(clients, seconds, idleSeconds == null ? seconds : idleSeconds, rate,
          docs, dataDir, out, it.help());
    }
  }

  private final Options options;
  private final PrintStream out;
  private final PrintStream err;

  LoadBenchmark(Options options, PrintStream out, PrintStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  boolean run() throws Exception {
    MachineInfo machine = MachineInfo.current();
    out.printf(Locale.ROOT, "Load benchmark: %d clients, %d s idle then %d s under %,d docs/s"
            + " of HTTP ingest, over %,d loaded documents%n", options.clients(),
        options.idleSeconds(), options.seconds(), options.rate(), options.docs());
    out.println("Machine: " + machine.describe());
    if (options.dataDir() != null) {
      FoundationBenchmark.checkFresh(options.dataDir());
    }
    Path work = Files.createTempDirectory("converge-load-bench-");
    Path dataDir = options.dataDir() != null ? options.dataDir() : work.resolve("data");
    Files.createDirectories(dataDir);
    List<String> problems = new ArrayList<>();
    ConvergeServer server = ConvergeServer.start(
        new ServerOptions(dataDir, ServerOptions.DEFAULT_HOST, 0, ServerOptions.PROTOBUF));
    try {
      out.println("Server: " + server.apiUrl() + " (write API), " + server.jdbcUrl());
      long t0 = System.nanoTime();
      LoadRun idleRun = new LoadRun(new LoadRun.Config(server.jdbcUrl(), server.apiUrl(),
          COLLECTION, options.clients(), Math.max(1, options.idleSeconds()), 0, options.docs()));
      idleRun.load();
      out.printf(Locale.ROOT, "Loaded %,d documents in %.1f s%n", options.docs(),
          (System.nanoTime() - t0) / 1e9);
      server.warmUp();
      LoadRun.Result idle = null;
      if (options.idleSeconds() > 0) {
        idle = idleRun.run(0);
        out.println("Idle server:");
        LoadRun.describe(idle).forEach(l -> out.println("  " + l));
        check(idle, "idle", problems);
      }
      LoadRun loaded = new LoadRun(new LoadRun.Config(server.jdbcUrl(), server.apiUrl(),
          COLLECTION, options.clients(), options.seconds(), options.rate(), 0));
      loaded.continueFrom(idleRun);
      LoadRun.Result busy = loaded.run();
      out.println("Under ingest:");
      LoadRun.describe(busy).forEach(l -> out.println("  " + l));
      check(busy, "under ingest", problems);
      String table = table(idle, busy);
      out.println();
      out.print(table);
      for (String p : problems) {
        err.println("CHECK FAILED: " + p);
      }
      if (options.out() != null) {
        MarkdownSection.write(options.out(), HEADING, markdown(machine, table, problems));
        out.println("Wrote section '" + HEADING + "' of " + options.out());
      }
    } finally {
      server.stop();
      if (options.dataDir() == null) {
        FoundationBenchmark.deleteTree(work);
      }
    }
    return problems.isEmpty();
  }

  private static void check(LoadRun.Result r, String phase, List<String> problems) {
    if (r.allErrors() != 0) {
      problems.add(phase + ": " + r.allErrors() + " errors, first: " + r.errorSamples());
    }
    if (!r.countsMatch()) {
      problems.add(phase + ": final count " + r.finalCount() + " (expected "
          + r.expectedCount() + "), needle " + r.needleFinal() + " (expected "
          + r.needleExpected() + ")");
    }
    for (LoadRun.KindResult k : r.kinds().values()) {
      if (k.queries() == 0) {
        problems.add(phase + ": no " + k.kind() + " query completed");
      }
    }
  }

  private String table(LoadRun.Result idle, LoadRun.Result busy) {
    StringBuilder b = new StringBuilder();
    b.append("| query | idle q/s | idle p50 / p99 ms | under ingest q/s | p50 / p99 ms |"
        + " p50 ratio |\n|---|---:|---:|---:|---:|---:|\n");
    for (LoadRun.Kind k : LoadRun.Kind.values()) {
      LoadRun.KindResult x = busy.kinds().get(k);
      LoadRun.KindResult i = idle == null ? null : idle.kinds().get(k);
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.2f / %.2f | %s |%n",
          label(k), i == null ? "" : String.format(Locale.ROOT, "%.1f", i.perSecond()),
          i == null ? "" : String.format(Locale.ROOT, "%.2f / %.2f", i.p50Millis(),
              i.p99Millis()), x.perSecond(), x.p50Millis(), x.p99Millis(),
          i == null ? "" : String.format(Locale.ROOT, "%.2fx", x.p50Millis() / i.p50Millis())));
    }
    b.append(String.format(Locale.ROOT, "| all | %s | | %.1f | | |%n",
        idle == null ? "" : String.format(Locale.ROOT, "%.1f", idle.queriesPerSecond()),
        busy.queriesPerSecond()));
    b.append(String.format(Locale.ROOT, "%nErrors: %d idle, %d under ingest (queries %d,"
            + " ingest %d). Ingest: %,d documents acknowledged (%.0f docs/s, target %,d)."
            + " Final count %,d, expected %,d; needle u7 %,d, expected %,d: %s.%n",
        idle == null ? 0 : idle.allErrors(), busy.allErrors(), busy.errors(),
        busy.ingestErrors(), busy.written(), busy.writtenPerSecond(), options.rate(),
        busy.finalCount(), busy.expectedCount(), busy.needleFinal(), busy.needleExpected(),
        busy.countsMatch() ? "match" : "MISMATCH"));
    return b.toString();
  }

  private static String label(LoadRun.Kind k) {
    return switch (k) {
      case NEEDLE -> "needle `\"user\" = ?` (0.1%, PreparedStatement)";
      case AGGREGATE -> "`GROUP BY kind` count, sum (plain Statement)";
      case LOOKUP -> "`_id = ?` (PreparedStatement)";
    };
  }

  private String markdown(MachineInfo machine, String table, List<String> problems) {
    StringBuilder b = new StringBuilder();
    b.append("`bin/converge bench load --clients ").append(options.clients())
        .append(" --seconds ").append(options.seconds()).append(" --idle-seconds ")
        .append(options.idleSeconds()).append(" --rate ").append(options.rate())
        .append(" --docs ").append(options.docs()).append("`\n\n");
    b.append("Machine: ").append(machine.describe()).append("\n\n");
    b.append(options.clients()).append(" Avatica connections run needle, GROUP BY and `_id`"
        + " lookup queries in turn, as fast as answers come, on the idle server and then while"
        + " one writer posts documents through the HTTP API at the target rate; every answer is"
        + " checked against what was acknowledged. Clients and server share the machine.\n\n");
    b.append(table);
    if (!problems.isEmpty()) {
      b.append("\nChecks failed: ").append(String.join("; ", problems)).append('\n');
    }
    return b.toString();
  }
}
