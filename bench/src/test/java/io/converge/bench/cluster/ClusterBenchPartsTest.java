package io.converge.bench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.bench.ssb.SsbQueries;
import io.converge.bench.ssb.SsbRows;
import io.converge.bench.ssb.SsbTimer.Measurement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The options, the pieces of the run that need no processes, and the report. */
class ClusterBenchPartsTest {

  @Test
  void optionsDefaultsSmokeAndFlags() {
    ClusterBenchOptions d = ClusterBenchOptions.parse(new String[0]);
    assertEquals(1.0, d.scaleFactor());
    assertEquals(5, d.runs());
    assertEquals(2, d.warmup());
    assertEquals(2000, d.lookups());
    assertEquals(200_000, d.writeDocs());
    assertEquals(20, d.seconds());
    ClusterBenchOptions smoke = ClusterBenchOptions.parse(new String[] {"--sf", "0.01", "--runs",
        "1", "--warmup", "0", "--skip-writes", "--leaf-heap", "384m"});
    assertEquals(50, smoke.lookups());
    assertEquals(20_000, smoke.writeDocs());
    assertTrue(smoke.skipWrites());
    assertEquals("384m", smoke.leafHeap());
    ClusterBenchOptions given = ClusterBenchOptions.parse(new String[] {"--sf=0.01",
        "--write-docs", "5000", "--skip-ssb", "false"});
    assertEquals(5000, given.writeDocs());
    assertTrue(!given.skipSsb());
    assertThrows(IllegalArgumentException.class,
        () -> ClusterBenchOptions.parse(new String[] {"--leaf-heap", "lots"}));
    assertThrows(IllegalArgumentException.class,
        () -> ClusterBenchOptions.parse(new String[] {"--nope", "1"}));
  }

  @Test
  void theReportNamesTheCommandThatRepeatsTheRun() {
    assertEquals("bin/converge bench cluster --sf 0.1 --runs 3 --warmup 2 --lookups 200"
        + " --write-docs 100000 --rate 10000 --seconds 20 --leaf-heap 2g",
        ClusterReport.command(ClusterBenchOptions.parse(new String[] {"--sf", "0.1", "--runs",
            "3", "--lookups", "200", "--write-docs", "100000"})));
    assertEquals("bin/converge bench cluster --runs 5 --warmup 2 --lookups 2000 --skip-writes"
        + " --leaf-heap 3g", ClusterReport.command(ClusterBenchOptions.parse(
            new String[] {"--skip-writes", "--leaf-heap", "3g"})));
  }

  @Test
  void idOfAGeneratedLine() {
    assertEquals("123", TopicLoad.idOf("{\"_id\":123,\"lo_orderkey\":15}"));
    assertEquals("a-b", TopicLoad.idOf("{\"_id\":\"a-b\",\"x\":1}"));
    assertEquals("7", TopicLoad.idOf("{\"_id\":7}"));
    assertThrows(IllegalArgumentException.class, () -> TopicLoad.idOf("{\"x\":1}"));
  }

  @Test
  void cpuOfThisProcessGrows() {
    long pid = ProcessHandle.current().pid();
    double before = ProcessCpu.seconds(pid);
    long x = 0;
    for (long i = 0; i < 400_000_000L; i++) {
      x += i ^ (x >>> 3);
    }
    assertTrue(x != 1);
    assertTrue(ProcessCpu.seconds(pid) > before, "CPU time did not grow");
    assertEquals(0.0, ProcessCpu.seconds(-1));
    // the loop above was compiled by this JVM's JIT threads
    assertTrue(ProcessCpu.jvmThreads(pid).jitSeconds() > 0);
    assertEquals(new ProcessCpu.JvmThreads(0, 0), ProcessCpu.jvmThreads(-1));
    Map<String, Double> d = ProcessCpu.delta(Map.of("leaf-a", 1.0, "leaf-b", 2.0),
        new LinkedHashMap<>(Map.of("leaf-a", 1.5, "leaf-b", 2.5)));
    assertEquals(1.0, ProcessCpu.sum(d, "leaf"), 1e-9);
  }

  @Test
  void appliedWhenEveryPartitionReachedItsEnd() throws Exception {
    ObjectMapper json = new ObjectMapper();
    var status = json.readTree("{\"leaves\":[{\"pid\":5,\"alive\":true,\"partitions\":["
        + "{\"collection\":\"c\",\"partition\":0,\"serving\":true,\"nextOffset\":10},"
        + "{\"collection\":\"c\",\"partition\":1,\"serving\":true,\"nextOffset\":3}]},"
        + "{\"pid\":99,\"alive\":true,\"partitions\":["
        + "{\"collection\":\"c\",\"partition\":1,\"serving\":true,\"nextOffset\":7}]}]}");
    Map<Integer, Long> ends = Map.of(0, 10L, 1, 7L);
    // pid 99 is not one of this cluster's leaves: partition 1 is behind
    assertNotNull(ClusterChild.missing(status, "c", ends, java.util.Set.of(5L)));
    assertNull(ClusterChild.missing(status, "c", ends, java.util.Set.of(5L, 99L)));
  }

  @Test
  void reportRatiosAndChecks() {
    ClusterReport.Findings f = new ClusterReport.Findings(ClusterBenchOptions.parse(
        new String[] {"--sf", "0.01"}), "test machine");
    f.queries.put(ClusterBenchmark.ONE_PROCESS, figures(10_000_000L, 7L, Map.of("server", 0.1)));
    f.queries.put(ClusterBenchmark.ONE_LEAF, figures(12_000_000L, 7L,
        Map.of("leaf-g0-0", 0.1, "aggregator", 0.01)));
    Map<String, Double> three = new LinkedHashMap<>();
    three.put("leaf-g0-0", 0.03);
    three.put("leaf-g0-1", 0.04);
    three.put("leaf-g0-2", 0.03);
    three.put("aggregator", 0.01);
    f.queries.put(ClusterBenchmark.THREE_LEAVES, figures(11_000_000L, 8L, three));
    ClusterReport r = new ClusterReport(f);
    List<String> problems = r.problems();
    // Q-anything on 3-leaf returned 8 where one process returned 7
    assertEquals(SsbQueries.ALL.size(), problems.size(), problems.toString());
    String md = r.markdown();
    assertTrue(md.contains("| 1.20x (target <= 1.25x)"), md);
    assertTrue(md.contains("| 0.40x (target <= 0.4x)"), md);
    assertTrue(md.contains("0.030 / 0.040 / 0.030"), md);
    assertEquals(2.0, ClusterReport.geomean(List.of(1.0, 4.0)), 1e-9);
  }

  @Test
  void reportPutsTheProbesOwnTimeBesideTheLatency() {
    ClusterReport.Findings f = new ClusterReport.Findings(ClusterBenchOptions.parse(
        new String[] {"--sf", "0.01", "--seconds", "2"}), "test machine");
    f.throughput = new WritePath.Throughput(1000, 1_000_000_000L, 2_000_000_000L, Map.of());
    int n = 50;
    long[] latency = new long[n];
    long[] probe = new long[n];
    long[] probes = new long[n];
    for (int i = 0; i < n; i++) {
      latency[i] = (i + 1) * 10_000_000L; // 10 .. 500 ms
      probe[i] = (i + 1) * 1_000_000L; // 1 .. 50 ms
      probes[i] = i % 3 + 1;
    }
    f.latency = new WritePath.Latency(latency, probe, probes, 100, 20_000, 2_000_000_000L, 3,
        10_000);
    String md = new ClusterReport(f).markdown();
    assertTrue(md.contains("p50 250 ms, p95 480 ms, p99 500 ms (target p99 < 100 ms) over 50"
        + " samples (under 100: the p99 is the largest)"), md);
    assertTrue(md.contains("took p50 25.0 ms, p95 48.0 ms, p99 50.0 ms by itself"), md);
    assertTrue(md.contains("at most 3 probes per sample"), md);
    assertTrue(md.contains("Rate reached: 10,000 docs/s (20,000 documents in 2.0 s; 3 batches"
        + " posted more than an interval late)"), md);
  }

  @Test
  void reportLeafWorkPerQueryAndCpuAboveIdle() {
    ClusterReport.Findings f = new ClusterReport.Findings(ClusterBenchOptions.parse(
        new String[] {"--sf", "0.01"}), "test machine");
    // 1 leaf: 50 ms of fragment CPU, 80 ms of process CPU in a 200 ms run, idle 100 ms/s
    f.queries.put(ClusterBenchmark.ONE_LEAF, work(Map.of("leaf-g0-0", 0.08, "aggregator", 0.03),
        Map.of("leaf-g0-0", new LeafCounters.Work(1, 0.05, 16, 600)),
        Map.of("leaf-g0-0", new ProcessCpu.JvmThreads(0.01, 0.01))));
    f.idleCpuPerSecond.put(ClusterBenchmark.ONE_LEAF, Map.of("leaf-g0-0", 0.1, "aggregator",
        0.05));
    Map<String, Double> cpu3 = new LinkedHashMap<>();
    cpu3.put("leaf-g0-0", 0.04);
    cpu3.put("leaf-g0-1", 0.05);
    cpu3.put("leaf-g0-2", 0.04);
    cpu3.put("aggregator", 0.03);
    Map<String, LeafCounters.Work> work3 = new LinkedHashMap<>();
    work3.put("leaf-g0-0", new LeafCounters.Work(1, 0.015, 5, 180));
    work3.put("leaf-g0-1", new LeafCounters.Work(1, 0.02, 6, 240));
    work3.put("leaf-g0-2", new LeafCounters.Work(1, 0.015, 5, 180));
    Map<String, ProcessCpu.JvmThreads> jvm3 = new LinkedHashMap<>();
    jvm3.put("leaf-g0-0", new ProcessCpu.JvmThreads(0.005, 0));
    jvm3.put("leaf-g0-1", new ProcessCpu.JvmThreads(0.01, 0.005));
    jvm3.put("leaf-g0-2", new ProcessCpu.JvmThreads(0, 0));
    jvm3.put("aggregator", new ProcessCpu.JvmThreads(0.05, 0.05));
    f.queries.put(ClusterBenchmark.THREE_LEAVES, work(cpu3, work3, jvm3));
    f.idleCpuPerSecond.put(ClusterBenchmark.THREE_LEAVES, Map.of("leaf-g0-0", 0.1, "leaf-g0-1",
        0.1, "leaf-g0-2", 0.1));
    String md = new ClusterReport(f).markdown();
    // busiest fragment CPU 20 ms of 50; above idle: 80 - 20 = 60 ms, 50 - 20 = 30 ms of 3 leaves;
    // less JIT and GC: 60 - 20 = 40 ms, busiest of 15 / 15 / 20 ms
    assertTrue(md.contains("| Q1.1 | 50.0 | 15.0 / 20.0 / 15.0 | 0.40x | 60.0"
        + " | 20.0 / 30.0 / 20.0 | 0.50x | 10.0 / 5.0 / 10.0 / 0.0 | 10.0 / 0.0 / 5.0 / 0.0"
        + " | 0.50x | 20.0 / 30.0 | 1 / 1 1 1 | 16 / 5 6 5 | 600 / 180 240 180 |"), md);
    assertTrue(md.contains("| geometric mean | | | 0.40x (target <= 0.4x) | | | 0.50x | | | 0.50x |"),
        md);
    assertTrue(md.contains("Idle CPU (ms per second): 1-leaf: "), md);
    assertTrue(md.contains("leaf-g0-0 100.0"), md);
  }

  @Test
  void leafCountersFromAScrape() {
    LeafCounters.Work w = LeafCounters.parse(String.join("\n",
        "# TYPE converge_leaf_fragment_cpu_seconds_total counter",
        "converge_leaf_fragment_cpu_seconds_total 1.5",
        "converge_leaf_fragment_rows_total 12.0",
        "converge_leaf_fragment_shard_rows_total 3000.0",
        "converge_query_seconds_count{request=\"fragment\",role=\"leaf\"} 4",
        "converge_query_seconds_count{request=\"execute\",role=\"server\"} 9"));
    assertEquals(new LeafCounters.Work(4, 1.5, 12, 3000), w);
    LeafCounters.Work d = w.minus(new LeafCounters.Work(2, 0.5, 2, 1000)).per(2);
    assertEquals(new LeafCounters.Work(1, 0.5, 5, 1000), d);
    assertEquals(new LeafCounters.Work(0, 0, 0, 0), LeafCounters.parse(""));
  }

  private static Map<String, QueryRuns.QueryFigures> work(Map<String, Double> cpu,
      Map<String, LeafCounters.Work> leaves, Map<String, ProcessCpu.JvmThreads> jvm) {
    Map<String, QueryRuns.QueryFigures> m = new LinkedHashMap<>();
    for (SsbQueries.Query q : SsbQueries.ALL) {
      SsbRows rows = new SsbRows(List.of(Arrays.asList((Object) 1L)));
      m.put(q.id(), new QueryRuns.QueryFigures(new Measurement(new long[] {200_000_000L}, 1, rows,
          null), cpu, 200_000_000L, leaves, jvm));
    }
    return m;
  }

  private static Map<String, QueryRuns.QueryFigures> figures(long nanos, long value,
      Map<String, Double> cpu) {
    Map<String, QueryRuns.QueryFigures> m = new LinkedHashMap<>();
    for (SsbQueries.Query q : SsbQueries.ALL) {
      SsbRows rows = new SsbRows(List.of(Arrays.asList((Object) value)));
      m.put(q.id(), new QueryRuns.QueryFigures(new Measurement(new long[] {nanos}, 1, rows, null),
          cpu));
    }
    return m;
  }
}
