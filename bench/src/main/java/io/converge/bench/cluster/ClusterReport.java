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
    /** By system, per process: CPU seconds per second in the idle window before its queries. */
    final Map<String, Map<String, Double>> idleCpuPerSecond = new LinkedHashMap<>();
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
      b.append(queryTable()).append('\n').append(leafWorkTable()).append('\n')
          .append(projectionTable()).append('\n');
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

  /**
   * Per query, what each leaf did for it: its fragments' own CPU time and rows (the leaves'
   * counters), and its process CPU less what the process burns when idle.
   */
  private String leafWorkTable() {
    Map<String, QueryFigures> l1 = f.queries.get(ClusterBenchmark.ONE_LEAF);
    Map<String, QueryFigures> l3 = f.queries.get(ClusterBenchmark.THREE_LEAVES);
    StringBuilder b = new StringBuilder();
    b.append("Leaf work per query (per timed run):\n\n");
    b.append("| Query | 1-leaf: fragment CPU ms | 3-leaf: fragment CPU ms per leaf"
        + " | 3-leaf busiest / 1-leaf (fragment CPU) | 1-leaf: leaf CPU ms above idle"
        + " | 3-leaf: CPU ms above idle per leaf | 3-leaf busiest / 1-leaf (above idle)"
        + " | leaf JIT CPU ms (1-leaf / 3-leaf per leaf) | leaf GC CPU ms (1-leaf / 3-leaf per leaf)"
        + " | 3-leaf busiest / 1-leaf (above idle, less JIT and GC)"
        + " | aggregator CPU ms above idle (1-leaf / 3-leaf) | fragments (1-leaf / 3-leaf per leaf)"
        + " | rows returned (1-leaf / 3-leaf per leaf) | shard rows (1-leaf / 3-leaf per leaf)"
        + " |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<Double> fragmentRatios = new ArrayList<>();
    List<Double> aboveIdleRatios = new ArrayList<>();
    List<Double> lessJvmRatios = new ArrayList<>();
    for (SsbQueries.Query q : SsbQueries.ALL) {
      String id = q.id();
      List<LeafCounters.Work> w1 = work(l1, id);
      List<LeafCounters.Work> w3 = work(l3, id);
      Double cpu1 = w1.isEmpty() ? null : w1.stream().mapToDouble(LeafCounters.Work::cpuSeconds)
          .sum();
      List<Double> cpu3 = w3.stream().map(LeafCounters.Work::cpuSeconds).toList();
      Double fragmentRatio = busiestOver(cpu3, cpu1);
      if (fragmentRatio != null) {
        fragmentRatios.add(fragmentRatio);
      }
      List<Double> above1 = aboveIdle(ClusterBenchmark.ONE_LEAF, l1, id, "leaf");
      List<Double> above3 = aboveIdle(ClusterBenchmark.THREE_LEAVES, l3, id, "leaf");
      Double a1 = above1.isEmpty() ? null : above1.stream().mapToDouble(x -> x).sum();
      Double aboveRatio = busiestOver(above3, a1);
      if (aboveRatio != null) {
        aboveIdleRatios.add(aboveRatio);
      }
      List<ProcessCpu.JvmThreads> j1 = jvm(l1, id);
      List<ProcessCpu.JvmThreads> j3 = jvm(l3, id);
      List<Double> less1 = less(above1, j1);
      List<Double> less3 = less(above3, j3);
      Double lessRatio = less1.size() == 1 ? busiestOver(less3, less1.get(0)) : null;
      if (lessRatio != null) {
        lessJvmRatios.add(lessRatio);
      }
      b.append("| ").append(id).append(" | ").append(millis(cpu1)).append(" | ")
          .append(millis(cpu3)).append(" | ").append(ratio(fragmentRatio)).append(" | ")
          .append(millis(a1)).append(" | ").append(millis(above3)).append(" | ")
          .append(ratio(aboveRatio)).append(" | ")
          .append(millis(j1, ProcessCpu.JvmThreads::jitSeconds)).append(" / ")
          .append(millis(j3, ProcessCpu.JvmThreads::jitSeconds)).append(" | ")
          .append(millis(j1, ProcessCpu.JvmThreads::gcSeconds)).append(" / ")
          .append(millis(j3, ProcessCpu.JvmThreads::gcSeconds)).append(" | ")
          .append(ratio(lessRatio)).append(" | ")
          .append(millis(aboveIdle(ClusterBenchmark.ONE_LEAF, l1, id, "aggregator"))).append(" / ")
          .append(millis(aboveIdle(ClusterBenchmark.THREE_LEAVES, l3, id, "aggregator")))
          .append(" | ").append(counts(w1, w3, LeafCounters.Work::fragments)).append(" | ")
          .append(counts(w1, w3, LeafCounters.Work::rows)).append(" | ")
          .append(counts(w1, w3, LeafCounters.Work::shardRows)).append(" |\n");
    }
    b.append("| geometric mean | | | ").append(ratio(geomean(fragmentRatios)))
        .append(" (target <= 0.4x) | | | ").append(ratio(geomean(aboveIdleRatios)))
        .append(" | | | ").append(ratio(geomean(lessJvmRatios))).append(" | | | | |\n");
    b.append("\nFragment CPU: the leaf's `converge_leaf_fragment_cpu_seconds_total` over the timed"
        + " runs / runs: the CPU time (per thread, from the JVM) of the leaf's threads while they"
        + " work on the query's fragments: decoding the request, running it on each partition,"
        + " packing and serializing the Arrow batches; not gRPC's network threads, nor anything"
        + " else in the process (log polling, announcements, GC, JIT, compactions). CPU above"
        + " idle: the process's CPU time from `/proc` per run less its idle rate (CPU s/s over "
        + ClusterBenchmark.IDLE_MILLIS / 1000 + " s with no queries, just before the system's"
        + " queries) times the run's wall-clock time; coarse (10 ms ticks, idle work varies)."
        + " Leaf JIT and GC CPU: the CPU time of the leaf JVM's compiler threads (C1, C2) and"
        + " garbage collector threads over the timed runs / runs (each thread's `schedstat`);"
        + " both are in the process CPU, neither in the fragment CPU."
        + " Fragments: the leaf's fragment count (`converge_query_seconds_count{role=\"leaf\"}`)."
        + " Rows returned: rows the leaf's fragments sent to the aggregator. Shard rows: documents"
        + " in the shards each fragment ran over (once per fragment and shard): what a full scan"
        + " reads, an upper bound of the rows read, which the leaves do not count.\n");
    b.append("\nIdle CPU (ms per second): ").append(idleLine()).append('\n');
    return b.toString();
  }

  private String idleLine() {
    List<String> parts = new ArrayList<>();
    f.idleCpuPerSecond.forEach((system, m) -> {
      List<String> p = new ArrayList<>();
      m.forEach((name, r) -> p.add(name + " " + String.format(Locale.ROOT, "%.1f", r * 1e3)));
      parts.add(system + ": " + String.join(", ", p));
    });
    return parts.isEmpty() ? "not measured" : String.join("; ", parts);
  }

  /** The leaves' JIT and GC CPU of one query on one system, in leaf order. */
  private static List<ProcessCpu.JvmThreads> jvm(Map<String, QueryFigures> m, String id) {
    if (m == null || m.get(id) == null) {
      return List.of();
    }
    List<ProcessCpu.JvmThreads> out = new ArrayList<>();
    m.get(id).jvmPerRun().forEach((name, j) -> {
      if (name.startsWith("leaf")) {
        out.add(j);
      }
    });
    return out;
  }

  /** Per leaf: CPU above idle less its JIT and GC CPU (empty unless both are known). */
  private static List<Double> less(List<Double> aboveIdle, List<ProcessCpu.JvmThreads> jvm) {
    if (aboveIdle.size() != jvm.size()) {
      return List.of();
    }
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < jvm.size(); i++) {
      out.add(aboveIdle.get(i) - jvm.get(i).jitSeconds() - jvm.get(i).gcSeconds());
    }
    return out;
  }

  private static String millis(List<ProcessCpu.JvmThreads> jvm,
      java.util.function.ToDoubleFunction<ProcessCpu.JvmThreads> value) {
    return jvm.isEmpty() ? "-" : millis(jvm.stream().map(j -> value.applyAsDouble(j)).toList());
  }

  /** The leaves' counters of one query on one system, in leaf order. */
  private static List<LeafCounters.Work> work(Map<String, QueryFigures> m, String id) {
    if (m == null || m.get(id) == null) {
      return List.of();
    }
    return List.copyOf(m.get(id).leafWork().values());
  }

  /**
   * Per process named {@code prefix}...: its CPU seconds per run less its idle rate times the
   * run's wall-clock time.
   */
  private List<Double> aboveIdle(String system, Map<String, QueryFigures> m, String id,
      String prefix) {
    if (m == null || m.get(id) == null || m.get(id).cpuPerRun().isEmpty()) {
      return List.of();
    }
    QueryFigures q = m.get(id);
    Map<String, Double> idle = f.idleCpuPerSecond.getOrDefault(system, Map.of());
    List<Double> out = new ArrayList<>();
    q.cpuPerRun().forEach((name, s) -> {
      if (name.startsWith(prefix)) {
        out.add(s - idle.getOrDefault(name, 0.0) * q.wallNanosPerRun() / 1e9);
      }
    });
    return out;
  }

  private static Double busiestOver(List<Double> three, Double one) {
    if (three.isEmpty() || one == null || one <= 0) {
      return null;
    }
    double busiest = three.stream().mapToDouble(x -> x).max().getAsDouble();
    return busiest > 0 ? busiest / one : null;
  }

  private static String counts(List<LeafCounters.Work> one, List<LeafCounters.Work> three,
      java.util.function.ToDoubleFunction<LeafCounters.Work> value) {
    return count(one, value) + " / " + count(three, value);
  }

  private static String count(List<LeafCounters.Work> w,
      java.util.function.ToDoubleFunction<LeafCounters.Work> value) {
    if (w.isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    for (LeafCounters.Work x : w) {
      double v = value.applyAsDouble(x);
      parts.add(v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v)
          : String.format(Locale.ROOT, "%,.1f", v));
    }
    return String.join(" ", parts);
  }

  private static String millis(Double s) {
    return s == null ? "-" : String.format(Locale.ROOT, "%.1f", s * 1e3);
  }

  private static String millis(List<Double> s) {
    if (s.isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    for (double x : s) {
      parts.add(String.format(Locale.ROOT, "%.1f", x * 1e3));
    }
    return String.join(" / ", parts);
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
