package io.converge.bench.cluster;

import io.converge.bench.Timings;
import io.converge.bench.cluster.QueryRuns.QueryFigures;
import io.converge.bench.ssb.SsbQueries;
import io.converge.bench.ssb.SsbRows;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of one {@code bench cluster} run as markdown tables, and its result checks. */
final class ClusterReport {
  /** What one run found; parts not run stay empty or null. */
  static final class Findings {
    final ClusterBenchOptions options;
    final String machine;
    long rows;
    long bulkLoadNanos;
    long produceNanos;
    Map<Integer, Long> endOffsets;
    List<String> lookupIds = List.of();
    final Map<String, Long> applyNanos = new LinkedHashMap<>();
    final Map<String, Map<String, QueryFigures>> queries = new LinkedHashMap<>();
    final Map<String, IdLookups.Latencies> lookups = new LinkedHashMap<>();
    WritePath.Throughput throughput;
    WritePath.Latency latency;

    Findings(ClusterBenchOptions options, String machine) {
      this.options = options;
      this.machine = machine;
    }
  }

  private final Findings f;

  ClusterReport(Findings f) {
    this.f = f;
  }

  static String sf(double sf) {
    return sf == Math.rint(sf) ? String.valueOf((long) sf) : String.valueOf(sf);
  }

  /** Every query whose rows differ from the one-process server's, or that failed. */
  List<String> problems() {
    List<String> p = new ArrayList<>();
    Map<String, QueryFigures> reference = f.queries.get(ClusterBenchmark.ONE_PROCESS);
    for (Map.Entry<String, Map<String, QueryFigures>> s : f.queries.entrySet()) {
      for (Map.Entry<String, QueryFigures> q : s.getValue().entrySet()) {
        if (!q.getValue().measurement().ok()) {
          p.add(q.getKey() + " on " + s.getKey() + " failed: " + q.getValue().measurement().error());
        } else if (reference != null && reference.get(q.getKey()).measurement().ok()
            && s.getValue() != reference) {
          String d = SsbRows.difference(reference.get(q.getKey()).measurement().rows(),
              q.getValue().measurement().rows());
          if (d != null) {
            p.add(q.getKey() + " on " + s.getKey() + " differs from one process: " + d);
          }
        }
      }
    }
    return p;
  }

  String tables() {
    StringBuilder b = new StringBuilder();
    if (!f.queries.isEmpty()) {
      b.append(queryTable()).append('\n').append(projectionTable()).append('\n');
    }
    if (!f.lookups.isEmpty()) {
      b.append(lookupTable()).append('\n');
    }
    if (f.throughput != null) {
      b.append(writeTable()).append('\n');
    }
    return b.toString();
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("Command: `").append(command(f.options)).append("`\n\n");
    b.append("Machine: ").append(f.machine).append(".\n\n");
    b.append("Every process is a separate JVM on 127.0.0.1 of this machine, so the clusters'"
        + " leaves share its cores: wall-clock times show the cost of the gather, not a"
        + " speed-up; CPU seconds per process (from `/proc/PID/stat`, user + system, timed runs"
        + " only, divided by the runs) show how the work spreads. One Kafka broker and one"
        + " topic (`" + ClusterBenchmark.COLLECTION + "`, " + ClusterBenchmark.PARTITIONS
        + " partitions, filled once by a producer keyed by `_id`) serve the 1-leaf cluster and"
        + " then the 3-leaf one (started with `cluster start --kafka`, the first stopped before"
        + " the second starts). The one-process server is a child JVM with the leaf heap over a"
        + " bulk-loaded data directory. Queries: the 13 SSB flat queries as prepared statements"
        + " through the Avatica driver; results checked equal to the one-process server's.\n\n");
    if (f.rows > 0) {
      b.append(String.format(Locale.ROOT, "Data: %,d rows; one-process bulk load %s; produced to"
          + " Kafka in %s; applied by the 1-leaf cluster %s and by the 3-leaf cluster %s after"
          + " their start.%n%n", f.rows, Timings.seconds(f.bulkLoadNanos),
          Timings.seconds(f.produceNanos), applied(ClusterBenchmark.ONE_LEAF),
          applied(ClusterBenchmark.THREE_LEAVES)));
    }
    b.append(tables());
    b.append("Rows read per leaf: not measured (the leaves do not report them per query).\n");
    return b.toString();
  }

  private String applied(String system) {
    Long n = f.applyNanos.get(system);
    return n == null ? "n/a" : Timings.seconds(n);
  }

  private String queryTable() {
    Map<String, QueryFigures> one = f.queries.get(ClusterBenchmark.ONE_PROCESS);
    Map<String, QueryFigures> l1 = f.queries.get(ClusterBenchmark.ONE_LEAF);
    Map<String, QueryFigures> l3 = f.queries.get(ClusterBenchmark.THREE_LEAVES);
    StringBuilder b = new StringBuilder();
    b.append("| Query | one-process ms | 1-leaf ms | 3-leaf ms | 1-leaf / one-process"
        + " | one-process CPU s | 1-leaf: leaf CPU s | 1-leaf: aggregator CPU s"
        + " | 3-leaf: CPU s per leaf | 3-leaf: aggregator CPU s | 3-leaf busiest leaf / 1-leaf leaf"
        + " | rows |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<Double> timeRatios = new ArrayList<>();
    List<Double> cpuRatios = new ArrayList<>();
    for (SsbQueries.Query q : SsbQueries.ALL) {
      String id = q.id();
      Double t1 = median(one, id);
      Double tl1 = median(l1, id);
      Double tl3 = median(l3, id);
      Double ratio = t1 != null && tl1 != null && t1 > 0 ? tl1 / t1 : null;
      if (ratio != null) {
        timeRatios.add(ratio);
      }
      Double leaf1 = cpu(l1, id, "leaf");
      List<Double> leaves3 = cpus(l3, id, "leaf");
      Double busiest = leaves3.isEmpty() ? null : leaves3.stream().mapToDouble(x -> x).max()
          .getAsDouble();
      Double cpuRatio = busiest != null && leaf1 != null && leaf1 > 0 ? busiest / leaf1 : null;
      if (cpuRatio != null && busiest > 0) {
        cpuRatios.add(cpuRatio);
      }
      b.append("| ").append(id).append(" | ").append(ms(t1)).append(" | ").append(ms(tl1))
          .append(" | ").append(ms(tl3)).append(" | ").append(ratio(ratio)).append(" | ")
          .append(sec(cpu(one, id, "server"))).append(" | ").append(sec(leaf1)).append(" | ")
          .append(sec(cpu(l1, id, "aggregator"))).append(" | ").append(secs(leaves3))
          .append(" | ").append(sec(cpu(l3, id, "aggregator"))).append(" | ")
          .append(ratio(cpuRatio)).append(" | ").append(rows(one != null ? one : l1, id))
          .append(" |\n");
    }
    b.append("| geometric mean | | | | ").append(ratio(geomean(timeRatios)))
        .append(" (target <= 1.25x) | | | | | | ").append(ratio(geomean(cpuRatios)))
        .append(" (target <= 0.4x) | |\n");
    b.append("\nCPU seconds per query (timed runs / runs); a JVM's CPU time is counted in 10 ms"
        + " ticks, so figures below ~0.01 s are coarse.\n");
    return b.toString();
  }

  private String projectionTable() {
    Map<String, QueryFigures> l1 = f.queries.get(ClusterBenchmark.ONE_LEAF);
    Map<String, QueryFigures> l3 = f.queries.get(ClusterBenchmark.THREE_LEAVES);
    StringBuilder b = new StringBuilder();
    b.append("Projection inputs (SF ").append(sf(f.options.scaleFactor()))
        .append(", per query; CPU s): leaf work scales with the rows a leaf holds (SF x"
            + " partitions held / all), the aggregator's with the partial rows it merges (at"
            + " most result groups x leaves; merge rows not measured).\n\n");
    b.append("| Query | 1-leaf: all leaf work | 3-leaf: mean per leaf | 3-leaf: sum of leaves"
        + " | 1-leaf: aggregator | 3-leaf: aggregator | result rows |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (SsbQueries.Query q : SsbQueries.ALL) {
      String id = q.id();
      List<Double> leaves3 = cpus(l3, id, "leaf");
      Double sum = leaves3.isEmpty() ? null : leaves3.stream().mapToDouble(x -> x).sum();
      Double mean = leaves3.isEmpty() ? null : sum / leaves3.size();
      b.append("| ").append(id).append(" | ").append(sec(cpu(l1, id, "leaf"))).append(" | ")
          .append(sec(mean)).append(" | ").append(sec(sum)).append(" | ")
          .append(sec(cpu(l1, id, "aggregator"))).append(" | ")
          .append(sec(cpu(l3, id, "aggregator"))).append(" | ")
          .append(rows(l3 != null ? l3 : l1, id)).append(" |\n");
    }
    return b.toString();
  }

  private String lookupTable() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "`_id` lookups (up to %,d random ids of `%s`; untimed"
        + " warm-up lookups of up to %d of them first; each kind stops after %d s, warm-up"
        + " included, once %d were timed):%n%n", f.lookupIds.size(), ClusterBenchmark.COLLECTION,
        IdLookups.WARMUP, ClusterBenchmark.LOOKUP_BUDGET_NANOS / 1_000_000_000L,
        IdLookups.MIN_TIMED));
    b.append("| System | plain p50 | plain p99 | timed | prepared p50 | prepared p99 | timed |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|\n");
    f.lookups.forEach((s, l) -> b.append("| ").append(s.equals(ClusterBenchmark.THREE_LEAVES)
        ? "3-leaf cluster (through the aggregator)" : s).append(" | ")
        .append(Timings.latency(l.plainP50())).append(" | ").append(Timings.latency(l.plainP99()))
        .append(" | ").append(l.plain().length).append(" | ")
        .append(Timings.latency(l.preparedP50())).append(" | ")
        .append(Timings.latency(l.preparedP99())).append(" | ").append(l.prepared().length)
        .append(" |\n"));
    return b.toString();
  }

  private String writeTable() {
    WritePath.Throughput t = f.throughput;
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Write path (3-leaf cluster, every index): %,d orders"
        + " posted as NDJSON batches of %d by %d threads to the aggregator: %,.0f docs/s"
        + " acknowledged by Kafka (%s), %,.0f docs/s applied by the leaves (%s until every"
        + " leaf applied everything).%n%n", t.documents(), WritePath.BATCH, WritePath.THREADS,
        t.ackedPerSecond(), Timings.seconds(t.ackNanos()), t.appliedPerSecond(),
        Timings.seconds(t.appliedNanos())));
    b.append("| Role | CPU s | CPU µs per document |\n|---|---:|---:|\n");
    double broker = ProcessCpu.sum(t.cpuSeconds(), "broker");
    double aggregator = ProcessCpu.sum(t.cpuSeconds(), "aggregator");
    double leaves = ProcessCpu.sum(t.cpuSeconds(), "leaf");
    row(b, "Kafka broker", broker, t.documents());
    row(b, "aggregator", aggregator, t.documents());
    row(b, "leaves (3, together)", leaves, t.documents());
    row(b, "all", broker + aggregator + leaves, t.documents());
    WritePath.Latency l = f.latency;
    if (l != null) {
      b.append(String.format(Locale.ROOT, "%nData latency at %,d docs/s for %d s (%d batches"
          + " of %d a second, posted on schedule by %d writers): from the aggregator's answer"
          + " (Kafka acknowledged the batch) until a prepared `_id` lookup through the aggregator"
          + " returned the batch's last document, sampled by %d probers, each taking a batch"
          + " answered after it became free: p50 %s, p95 %s, p99 %s (target p99 < 100 ms) over"
          + " %d samples%s. The probe that found the document took p50 %s, p95 %s, p99 %s by"
          + " itself (included above; at most %d probes per sample). Rate reached: %,.0f docs/s"
          + " (%,d documents in %s; %d batches posted more than an interval late).%n",
          l.rate(), f.options.seconds(), WritePath.LATENCY_BATCHES_PER_SECOND,
          Math.max(1, l.rate() / WritePath.LATENCY_BATCHES_PER_SECOND),
          WritePath.LATENCY_WRITERS, WritePath.PROBERS, Timings.ms(l.p(50)),
          Timings.ms(l.p(95)), Timings.ms(l.p(99)), l.nanos().length,
          l.fewSamples() ? " (under 100: the p99 is the largest)" : "", Timings.ms(l.probeP(50)),
          Timings.ms(l.probeP(95)), Timings.ms(l.probeP(99)), l.maxProbes(), l.docsPerSecond(),
          l.documents(), Timings.seconds(l.wallNanos()), l.lateBatches()));
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String role, double cpu, long docs) {
    b.append("| ").append(role).append(" | ").append(String.format(Locale.ROOT, "%.1f", cpu))
        .append(" | ").append(String.format(Locale.ROOT, "%.1f", docs == 0 ? 0 : cpu * 1e6 / docs))
        .append(" |\n");
  }

  private static Double median(Map<String, QueryFigures> m, String id) {
    if (m == null || m.get(id) == null || !m.get(id).measurement().ok()) {
      return null;
    }
    return m.get(id).measurement().medianNanos();
  }

  private static Double cpu(Map<String, QueryFigures> m, String id, String prefix) {
    if (m == null || m.get(id) == null || m.get(id).cpuPerRun().isEmpty()) {
      return null;
    }
    return ProcessCpu.sum(m.get(id).cpuPerRun(), prefix);
  }

  private static List<Double> cpus(Map<String, QueryFigures> m, String id, String prefix) {
    if (m == null || m.get(id) == null) {
      return List.of();
    }
    return ProcessCpu.of(m.get(id).cpuPerRun(), prefix);
  }

  private static String rows(Map<String, QueryFigures> m, String id) {
    if (m == null || m.get(id) == null || !m.get(id).measurement().ok()) {
      return "-";
    }
    return String.valueOf(m.get(id).measurement().rows().size());
  }

  static Double geomean(List<Double> xs) {
    if (xs.isEmpty()) {
      return null;
    }
    double s = 0;
    for (double x : xs) {
      s += Math.log(x);
    }
    return Math.exp(s / xs.size());
  }

  private static String ms(Double nanos) {
    return nanos == null ? "-" : String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private static String sec(Double s) {
    return s == null ? "-" : String.format(Locale.ROOT, "%.3f", s);
  }

  private static String secs(List<Double> s) {
    if (s.isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    for (double x : s) {
      parts.add(String.format(Locale.ROOT, "%.3f", x));
    }
    return String.join(" / ", parts);
  }

  private static String ratio(Double r) {
    return r == null ? "-" : String.format(Locale.ROOT, "%.2fx", r);
  }

  /** The command line that repeats this run (every option that shapes the figures). */
  static String command(ClusterBenchOptions o) {
    StringBuilder c = new StringBuilder("bin/converge bench cluster");
    if (o.scaleFactor() != 1) {
      c.append(" --sf ").append(sf(o.scaleFactor()));
    }
    c.append(" --runs ").append(o.runs()).append(" --warmup ").append(o.warmup())
        .append(" --lookups ").append(o.lookups());
    if (o.skipSsb()) {
      c.append(" --skip-ssb");
    }
    if (o.skipWrites()) {
      c.append(" --skip-writes");
    } else {
      c.append(" --write-docs ").append(o.writeDocs()).append(" --rate ").append(o.rate())
          .append(" --seconds ").append(o.seconds());
    }
    return c.append(" --leaf-heap ").append(o.leafHeap()).toString();
  }
}
