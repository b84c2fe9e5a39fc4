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

/** Smoke run of {@code bench load}: the whole benchmark, small and short, into a report file. */
class LoadBenchmarkTest {
  @TempDir
  Path dir;

  @Test
  @Tag("slow")
  void aShortLoadRunHasNoErrorsAndWritesItsSection() throws Exception {
    Path report = dir.resolve("report.md");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = BenchMain.run(new String[] {"load", "--clients", "2", "--seconds", "3",
        "--idle-seconds", "2", "--rate", "200", "--docs", "2000", "--out", report.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, printed + err.toString(StandardCharsets.UTF_8));
    assertTrue(printed.contains("errors 0 (ingest 0)"), printed);
    assertTrue(printed.contains(": match"), printed);
    String md = Files.readString(report);
    assertTrue(md.contains("## Load benchmark"), md);
    assertTrue(md.contains("| `_id = ?` (PreparedStatement) |"), md);
  }

  @Test
  void optionsAreChecked() {
    LoadBenchmark.Options o = LoadBenchmark.Options.parse(new String[] {"--clients", "16",
        "--seconds", "30", "--rate", "0", "--out", "none"});
    assertEquals(16, o.clients());
    assertEquals(30, o.seconds());
    assertEquals(30, o.idleSeconds()); // defaults to --seconds
    assertEquals(0, o.rate());
    assertEquals(null, o.out());
    assertThrows(IllegalArgumentException.class,
        () -> LoadBenchmark.Options.parse(new String[] {"--clients", "0"}));
    assertThrows(IllegalArgumentException.class,
        () -> LoadBenchmark.Options.parse(new String[] {"--bogus", "1"}));
  }
}
