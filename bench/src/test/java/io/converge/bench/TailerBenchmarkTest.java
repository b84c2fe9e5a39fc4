package io.converge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench kafka}: a smoke run against a real loopback broker, and its options. */
class TailerBenchmarkTest {
  @Test
  @Tag("slow")
  void kafkaRunsEndToEndOnASmallDataSet(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path md = dir.resolve("benchmarks.md");
    int rc = BenchMain.run(new String[] {"kafka", "--docs", "3000", "--partitions", "2",
        "--rate", "1000", "--latency-seconds", "4", "--settle-seconds", "2",
        "--out", md.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, printed + err.toString(StandardCharsets.UTF_8));
    assertTrue(printed.contains("Sustained tailer ingest: 3,000 docs"), printed);
    // The tailer's path is warmed up first, in a scratch collection that is dropped.
    assertTrue(printed.contains("Warm-up: 3,000 other orders tailed"), printed);
    String section = Files.readString(md);
    assertTrue(section.contains("## " + TailerBenchmark.HEADING), section);
    assertTrue(section.contains("produce-to-visible"), section);
  }

  @Test
  void options() {
    TailerBenchmark.Options o = TailerBenchmark.Options.parse(new String[] {});
    assertEquals(500_000, o.docs());
    assertEquals(2, o.partitions());
    assertEquals(10_000, o.rate());
    assertEquals(500_000, o.warmupDocs());
    TailerBenchmark.Options p = TailerBenchmark.Options.parse(
        new String[] {"--docs=1,000", "--rate", "2000", "--out", "none"});
    assertEquals(1000, p.docs());
    assertEquals(2000, p.rate());
    assertEquals(null, p.out());
    assertThrows(IllegalArgumentException.class,
        () -> TailerBenchmark.Options.parse(new String[] {"--partitions", "0"}));
    assertThrows(IllegalArgumentException.class,
        () -> TailerBenchmark.Options.parse(new String[] {"--bogus", "1"}));
  }
}
