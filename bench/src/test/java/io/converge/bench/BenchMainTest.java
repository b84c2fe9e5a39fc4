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
