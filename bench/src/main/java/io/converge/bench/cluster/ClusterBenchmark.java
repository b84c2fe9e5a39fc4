package io.converge.bench.cluster;

import io.converge.bench.MarkdownSection;
import io.converge.bench.Timings;
import io.converge.bench.ssb.SsbConvergeLoad;
import io.converge.bench.ssb.SsbFiles;
import io.converge.bench.ssb.SsbGenerator;
import io.converge.bench.ssb.SsbTable;
import io.converge.kafka.local.LocalKafkaBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * {@code bench cluster}: what a cluster costs next to one process, and what it spreads, measured
 * in one run on one machine (see {@link ClusterBenchOptions#HELP}). Every process is a child of
 * this JVM on 127.0.0.1: a Kafka broker ({@link LocalKafkaBroker}), a one-process server, and two
 * clusters started through {@code converge cluster start --kafka} on that broker, one after the
 * other, sharing the SSB topic, which is filled once.
 */
public final class ClusterBenchmark {
  public static final String HEADING = "Cluster benchmark";
  static final String COLLECTION = SsbTable.LINEORDER_FLAT.name();
  static final String WRITES = "cluster_writes";
  static final int PARTITIONS = 16;
  static final String ONE_PROCESS = "one-process";
  static final String ONE_LEAF = "1-leaf";
  static final String THREE_LEAVES = "3-leaf";
  static final Duration APPLY_TIMEOUT = Duration.ofMinutes(60);
  /** The idle window before a system's queries, in which its processes' CPU time is read. */
  static final long IDLE_MILLIS = 5_000;
  /** Per system and kind of lookup (plain, prepared), warm-up included. */
  static final long LOOKUP_BUDGET_NANOS = 120_000_000_000L;

  private final ClusterBenchOptions options;
  private final String machine;
  private final PrintStream out;
  private final PrintStream err;

  public ClusterBenchmark(ClusterBenchOptions options, String machine, PrintStream out,
      PrintStream err) {
    this.options = options;
    this.machine = machine;
    this.out = out;
    this.err = err;
  }

  /** Runs the parts asked for; false when a result check failed. */
  public boolean run() throws Exception {
    // this JVM's Kafka clients would log every connection at info
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    }
    out.printf(Locale.ROOT, "Cluster benchmark: SSB flat SF %s, %d timed runs after %d warm-up"
        + " runs; leaf heap %s%s%s%n", ClusterReport.sf(options.scaleFactor()), options.runs(),
        options.warmup(), options.leafHeap(), options.skipSsb() ? "; SSB skipped" : "",
        options.skipWrites() ? "; writes skipped" : "");
    out.println("Machine: " + machine);
    Path work;
    boolean temporary = options.dir() == null;
    if (temporary) {
      work = Files.createTempDirectory("converge-bench-cluster-");
    } else {
      checkFresh(options.dir());
      work = Files.createDirectories(options.dir()).toAbsolutePath();
    }
    out.println("Work directory: " + work);
    ClusterReport.Findings f = new ClusterReport.Findings(options, machine);
    String kafkaHeap = options.scaleFactor() < 0.1 ? "512m" : "1g";
    try (LocalKafkaBroker kafka = LocalKafkaBroker.start(work.resolve("kafka"),
        LocalKafkaBroker.Options.defaults().readyTimeout(Duration.ofSeconds(90))
            .jvmOptions(List.of("-Xmx" + kafkaHeap,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")))) {
      out.println("Kafka broker (child JVM, pid " + kafka.pid() + "): " + kafka.bootstrap());
      ClusterChild three = null;
      try {
        if (!options.skipSsb()) {
          ssb(work, kafka, f);
          three = startCluster(work, kafka, 3, f);
          queries(target(THREE_LEAVES, three), f);
          f.lookups.put(THREE_LEAVES, IdLookups.run(three.jdbcUrl(), COLLECTION, f.lookupIds,
              LOOKUP_BUDGET_NANOS));
          report(THREE_LEAVES, f.lookups.get(THREE_LEAVES));
        }
        if (!options.skipWrites()) {
          if (three == null) {
            three = startCluster(work, kafka, 3, f);
          }
          WritePath w = new WritePath(three, kafka.bootstrap(), kafka.pid(), err);
          f.throughput = w.throughput(WRITES, options.writeDocs(), options.seed());
          out.printf(Locale.ROOT, "Write path: %,.0f docs/s acknowledged, %,.0f docs/s applied"
              + " by 3 leaves%n", f.throughput.ackedPerSecond(),
              f.throughput.appliedPerSecond());
          f.latency = w.latency(WRITES, options.rate(), options.seconds(), options.seed());
          WritePath.Latency l = f.latency;
          out.printf(Locale.ROOT, "Ack to visible at %,d docs/s: p50 %s, p95 %s, p99 %s (%d"
              + " batches sampled%s; %,.0f docs/s reached, %d batches late); the probe alone:"
              + " p50 %s, p95 %s, p99 %s%n", options.rate(), Timings.ms(l.p(50)),
              Timings.ms(l.p(95)), Timings.ms(l.p(99)), l.nanos().length,
              l.fewSamples() ? ", too few for a p99" : "", l.docsPerSecond(), l.lateBatches(),
              Timings.ms(l.probeP(50)), Timings.ms(l.probeP(95)), Timings.ms(l.probeP(99)));
        }
      } finally {
        if (three != null) {
          three.close();
        }
      }
    } finally {
      if (temporary) {
        deleteTree(work);
      }
    }
    ClusterReport report = new ClusterReport(f);
    out.println();
    out.print(report.tables());
    List<String> problems = report.problems();
    for (String p : problems) {
      err.println("RESULT CHECK FAILED: " + p);
    }
    if (problems.isEmpty() && !options.skipSsb()) {
      out.println("Results check: every query returned the one-process server's rows on both"
          + " clusters.");
    }
    if (options.out() != null) {
      MarkdownSection.write(options.out(), HEADING, report.markdown());
      out.println("Wrote section '" + HEADING + "' of " + options.out());
    }
    return problems.isEmpty();
  }

  /** Loads both stores, runs the one-process server and the 1-leaf cluster. */
  private void ssb(Path work, LocalKafkaBroker kafka, ClusterReport.Findings f) throws Exception {
    SsbGenerator generator = new SsbGenerator(options.scaleFactor(), options.seed());
    Path input = Files.createDirectories(work.resolve("input"));
    long g0 = System.nanoTime();
    SsbFiles.Written file = SsbFiles.write(generator, SsbTable.LINEORDER_FLAT, input);
    f.rows = file.rows();
    out.printf(Locale.ROOT, "Generated %,d %s rows in %s (not timed)%n", file.rows(), COLLECTION,
        Timings.seconds(System.nanoTime() - g0));
    SsbConvergeLoad.Result load = SsbConvergeLoad.load(work.resolve("one-process"),
        List.of(file), err);
    f.bulkLoadNanos = load.totalNanos();
    out.printf(Locale.ROOT, "One-process bulk load: %s (%,d rejected)%n",
        Timings.seconds(load.totalNanos()), load.rejected());
    TopicLoad.create(kafka.bootstrap(), COLLECTION, PARTITIONS);
    TopicLoad.Result produced = TopicLoad.produce(kafka.bootstrap(), COLLECTION, file.ndjson());
    f.produceNanos = produced.nanos();
    f.endOffsets = produced.endOffsets();
    out.printf(Locale.ROOT, "Produced %,d documents to %s (%d partitions) in %s%n",
        produced.documents(), COLLECTION, PARTITIONS, Timings.seconds(produced.nanos()));
    deleteTree(input);
    f.lookupIds = lookupIds(generator.orders());

    try (ServerChild server = ServerChild.start(work.resolve("one-process"), options.leafHeap(),
        work.resolve("logs").resolve("one-process.log"), Duration.ofMinutes(5))) {
      out.println("One-process server (child JVM, pid " + server.pid() + "): " + server.jdbcUrl());
      queries(new QueryRuns.Target(ONE_PROCESS, server.jdbcUrl(),
          Map.of("server", server.pid()), Map.of()), f);
      f.lookups.put(ONE_PROCESS, IdLookups.run(server.jdbcUrl(), COLLECTION, f.lookupIds,
          LOOKUP_BUDGET_NANOS));
      report(ONE_PROCESS, f.lookups.get(ONE_PROCESS));
    }
    try (ClusterChild one = startCluster(work, kafka, 1, f)) {
      queries(target(ONE_LEAF, one), f);
    }
  }

  /** Starts a cluster of {@code leaves} leaves on the broker; waits until they applied SSB. */
  private ClusterChild startCluster(Path work, LocalKafkaBroker kafka, int leaves,
      ClusterReport.Findings f) throws Exception {
    String name = leaves == 1 ? ONE_LEAF : THREE_LEAVES;
    long t0 = System.nanoTime();
    ClusterChild c = ClusterChild.start(work.resolve("cluster-" + name), kafka.bootstrap(),
        leaves, PARTITIONS, options.leafHeap(), err);
    try {
      out.printf(Locale.ROOT, "%s cluster up in %s: %s %s%n", name,
          Timings.seconds(System.nanoTime() - t0), c.jdbcUrl(), c.pids());
      if (f.endOffsets != null) {
        long waited = c.awaitApplied(COLLECTION, f.endOffsets, APPLY_TIMEOUT);
        f.applyNanos.put(name, System.nanoTime() - t0);
        out.printf(Locale.ROOT, "%s cluster applied %,d documents %s after its start (waited"
            + " %s)%n", name, f.rows, Timings.seconds(System.nanoTime() - t0),
            Timings.seconds(waited));
      }
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  private static QueryRuns.Target target(String name, ClusterChild c) {
    return new QueryRuns.Target(name, c.jdbcUrl(), c.pids(), c.leafMetrics());
  }

  /** A system's idle CPU (nothing sent to it for {@value #IDLE_MILLIS} ms), then its queries. */
  private void queries(QueryRuns.Target t, ClusterReport.Findings f) throws Exception {
    Map<String, Double> idle = ProcessCpu.idlePerSecond(t.pids(), IDLE_MILLIS);
    f.idleCpuPerSecond.put(t.name(), idle);
    err.printf(Locale.ROOT, "  %s idle: %s%n", t.name(), idle.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.1f ms CPU/s", e.getKey(), e.getValue() * 1e3))
        .collect(java.util.stream.Collectors.joining(", ")));
    f.queries.put(t.name(), QueryRuns.run(t, options.warmup(), options.runs(), err));
  }

  private void report(String system, IdLookups.Latencies l) {
    out.printf(Locale.ROOT, "%s _id lookups: plain p50 %s p99 %s (%d timed), prepared p50 %s"
        + " p99 %s (%d timed)%n", system, Timings.latency(l.plainP50()),
        Timings.latency(l.plainP99()), l.plain().length, Timings.latency(l.preparedP50()),
        Timings.latency(l.preparedP99()), l.prepared().length);
  }

  /** Ids of line 1 of random orders (every order has it): {@code orderkey * 8 + 1}. */
  private List<String> lookupIds(long orders) {
    SplittableRandom r = new SplittableRandom(options.seed() * 31 + 7);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < options.lookups(); i++) {
      ids.add(String.valueOf((1 + r.nextLong(orders)) * 8 + 1));
    }
    return ids;
  }

  static void checkFresh(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--dir " + dir + " is not empty");
        }
      }
    } else if (Files.exists(dir)) {
      throw new IllegalArgumentException("--dir " + dir + " is not a directory");
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
