package io.converge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchMainTest {
  @Test
  void foundationRunsEndToEndOnASmallDataSet(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("docs/benchmarks.md");
    Files.createDirectories(report.getParent());
    Files.writeString(report, "# Converge benchmarks\n\n## Foundation benchmark\n\nold figures\n\n"
        + "## Other benchmark\n\nkept\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = BenchMain.run(new String[] {"foundation", "--docs", "2000", "--runs", "1",
        "--warmup", "1", "--data-dir", dir.resolve("data").toString(), "--out",
        report.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, printed + err.toString(StandardCharsets.UTF_8));
    assertTrue(printed.contains("Converge bulk load: 2,000 docs"), printed);
    assertTrue(printed.contains("Results check: both engines returned the same rows"), printed);
    String md = Files.readString(report);
    assertTrue(md.contains("docs/s"), md);
    assertTrue(md.contains("| `select count(*) from orders` |"), md);
    assertTrue(!md.contains("old figures"), md);
    assertTrue(md.endsWith("## Other benchmark\n\nkept\n"), md);
    assertTrue(Files.isDirectory(dir.resolve("data")), "a given --data-dir is kept");
  }

  @Test
  @Tag("slow")
  void pushdownRunsEndToEndOnASmallDataSet() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = BenchMain.run(new String[] {"pushdown", "--docs", "3000", "--runs", "1",
        "--warmup", "0", "--lookups", "20", "--out", "none"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    String log = err.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, printed + log);
    assertTrue(printed.contains("Converge bulk load: 3,000 docs"), printed);
    assertTrue(printed.contains("Results check: pushdown on, pushdown off and DuckDB returned the"
        + " same rows"), printed);
    assertTrue(printed.contains("| Needle, plain `Statement`: `customer.id` = 'c-"), printed);
    assertTrue(printed.contains("| `_id` lookup, p99"), printed);
    assertTrue(printed.contains("| Pushdown on |"), printed);
    assertTrue(log.contains("EXPLAIN needle") && log.contains("EXPLAIN group by")
        && log.contains("EXPLAIN _id lookup"), log);
    assertTrue(log.contains("20 lookups after 0 warm-up"), log);
  }

  @Test
  void wireRunsEndToEndOnASmallDataSet() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = BenchMain.run(new String[] {"wire", "--docs", "3000", "--queries", "20", "--runs",
        "1", "--warmup", "1", "--out", "none"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, printed + err.toString(StandardCharsets.UTF_8));
    assertTrue(printed.contains("| values 1, plain |"), printed);
    assertTrue(printed.contains("| _id lookup, prepared |"), printed);
    assertTrue(printed.contains("| Hidden from the index (a scan)"), printed);
    assertTrue(printed.contains("Results check: every lookup returned its order"), printed);
  }

  @Test
  @Tag("slow")
  void ingestRunsEndToEndOnASmallDataSet() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = BenchMain.run(new String[] {"ingest", "--docs", "2000", "--batch", "500",
        "--latency-seconds", "1", "--rates", "1000", "--runs", "1", "--warmup", "0",
        "--settle-seconds", "2", "--out", "none"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, printed + err.toString(StandardCharsets.UTF_8));
    assertTrue(printed.contains("docs/s"), printed);
    // The HTTP warm-up posts four times the timed documents, fresh ones, before timing.
    assertTrue(printed.contains("Warm-up: 8,000 fresh documents over HTTP (4 threads)"), printed);
    // Each timed write path starts after its warm-up's seals, compactions and compilations.
    assertTrue(printed.contains("for the JIT's queue"), printed);
    assertTrue(printed.contains("In-process warm-up: "), printed);
  }

  @Test
  void pushdownWritesItsSectionAndKeepsTheOthers(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("benchmarks.md");
    Files.writeString(report, "# Converge benchmarks\n\n## Foundation benchmark\n\nkept\n");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = BenchMain.run(new String[] {"pushdown", "--docs", "1000", "--runs", "1",
        "--warmup", "0", "--lookups", "10", "--out", report.toString()}, quiet,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    String md = Files.readString(report);
    assertTrue(md.startsWith("# Converge benchmarks\n\n## Foundation benchmark\n\nkept\n\n"
        + "## Pushdown benchmark\n\nCommand: `bin/converge bench pushdown --docs 1000"), md);
    assertTrue(md.contains("### Plans\n\n`EXPLAIN PLAN FOR` on the two Converge connections"), md);
    assertTrue(md.contains("-- group by: " + PushdownBenchmark.GROUP_BY + "\n"), md);
    assertTrue(md.contains("### Peak heap during the aggregation"), md);
    assertTrue(md.contains("Results check: pushdown on, pushdown off and DuckDB returned"), md);
  }

  @Test
  void pushdownOptions() {
    PushdownBenchmark.Options o = PushdownBenchmark.Options.parse(new String[] {});
    assertEquals(5_000_000, o.docs());
    assertEquals(10_000, o.lookups());
    assertEquals(3, o.warmup());
    assertEquals(Path.of("docs/benchmarks.md"), o.out());
    o = PushdownBenchmark.Options.parse(new String[] {"--lookups=20", "--docs", "3,000"});
    assertEquals(20, o.lookups());
    assertEquals(3000, o.docs());
    assertThrows(IllegalArgumentException.class,
        () -> PushdownBenchmark.Options.parse(new String[] {"--lookups", "0"}));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    assertEquals(2, BenchMain.run(new String[] {"pushdown", "--bogus", "1"}, quiet, quiet));
    assertEquals(0, BenchMain.run(new String[] {"pushdown", "--help"}, quiet, quiet));
  }

  @Test
  void percentilesByNearestRank() {
    long[] s = new long[100];
    for (int i = 0; i < s.length; i++) {
      s[i] = 100 - i;
    }
    assertEquals(99, Timings.percentile(s, 99));
    assertEquals(100, Timings.percentile(s, 100));
    assertEquals(50, Timings.percentile(s, 50));
    assertEquals(7, Timings.percentile(new long[] {7}, 99));
    assertEquals(9, Timings.percentile(new long[] {3, 9, 5}, 99));
  }

  @Test
  void refusesADataDirectoryThatIsNotEmpty(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("something"), "x");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = BenchMain.run(new String[] {"foundation", "--docs", "10", "--data-dir",
        dir.toString(), "--out", "none"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, rc);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("is not empty"));
  }

  @Test
  void badArgumentsPrintTheUsage() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    PrintStream o = new PrintStream(new ByteArrayOutputStream());
    assertEquals(2, BenchMain.run(new String[] {}, o, e));
    assertEquals(2, BenchMain.run(new String[] {"nonsense"}, o, e));
    assertEquals(2, BenchMain.run(new String[] {"foundation", "--docs", "many"}, o, e));
    assertEquals(0, BenchMain.run(new String[] {"foundation", "--help"}, o, e));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: converge bench foundation"));
  }

  @Test
  void parsesOptionsWithDefaults() {
    FoundationBenchmark.Options o = FoundationBenchmark.Options.parse(new String[] {});
    assertEquals(1_000_000, o.docs());
    assertEquals(5, o.runs());
    assertNull(o.dataDir());
    assertEquals(Path.of("docs/benchmarks.md"), o.out());
    o = FoundationBenchmark.Options.parse(new String[] {"--docs=1_000", "--runs", "2", "--out",
        "none"});
    assertEquals(1000, o.docs());
    assertEquals(2, o.runs());
    assertNull(o.out());
    assertThrows(IllegalArgumentException.class,
        () -> FoundationBenchmark.Options.parse(new String[] {"--runs", "0"}));
  }

  @Test
  void markdownSectionIsAppendedOrReplaced() {
    assertEquals("# T\n\n## A\n\nnew\n",
        MarkdownSection.replace("# T\n", "## A", "## A\n\nnew\n"));
    assertEquals("# T\n\n## A\n\nnew\n\n## B\nb\n",
        MarkdownSection.replace("# T\n\n## A\nold\nolder\n\n## B\nb\n", "## A", "## A\n\nnew\n"));
    assertEquals("## A\n\nnew\n", MarkdownSection.replace("## A\nold\n", "## A", "## A\n\nnew\n"));
  }

  @Test
  void resultsCompareWithATolerance() {
    QueryResult a = new QueryResult(List.of(Arrays.asList("x", 2L, 1.0000000001),
        Arrays.asList("y", 3L, 5.0)), 0);
    QueryResult b = new QueryResult(List.of(Arrays.asList("y", 3, 5.0),
        Arrays.asList("x", 2L, 1.0)), 0);
    assertNull(QueryResult.difference(a, b, 1e-6));
    QueryResult c = new QueryResult(List.of(Arrays.asList("y", 4L, 5.0),
        Arrays.asList("x", 2L, 1.0)), 0);
    assertNotNull(QueryResult.difference(a, c, 1e-6));
    QueryResult d = new QueryResult(List.of(Arrays.asList("y", 3L, 5.01),
        Arrays.asList("x", 2L, 1.0)), 0);
    assertNotNull(QueryResult.difference(a, d, 1e-6));
  }
}
