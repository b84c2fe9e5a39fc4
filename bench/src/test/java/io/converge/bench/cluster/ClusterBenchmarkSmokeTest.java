package io.converge.bench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.bench.BenchMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench cluster} end to end in its smoke mode: a broker, a one-process server and two
 * clusters as child processes, every query's rows checked equal, lookups and the write path.
 * Several minutes on 2 cores, so it runs with {@code -Dconverge.soak=true} (as the other soaks).
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "converge.soak", matches = "true")
class ClusterBenchmarkSmokeTest {
  @TempDir
  Path tmp;

  @Test
  void smokeRunChecksEveryResultAndWritesItsSection() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path md = tmp.resolve("benchmarks.md");
    int rc;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      rc = BenchMain.run(new String[] {"cluster", "--sf", "0.01", "--runs", "1", "--warmup",
          "0", "--lookups", "50", "--write-docs", "5000", "--seconds", "3", "--leaf-heap",
          "384m", "--dir", tmp.resolve("work").toString(), "--out", md.toString()}, o, e);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, text + "\n" + err.toString(StandardCharsets.UTF_8));
    assertTrue(text.contains("Results check: every query returned"), text);
    String section = Files.readString(md);
    assertTrue(section.contains("## " + ClusterBenchmark.HEADING), section);
    assertTrue(section.contains("| Q4.3 |"), section);
    assertTrue(section.contains("Data latency at"), section);
  }
}
