package io.converge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The log format benchmark, small: both forms read back every document, and the report. */
class LogFormatBenchmarkTest {
  @Test
  void bothFormsReadBackEveryDocumentAndTheReportHasTheRatio() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    LogFormatBenchmark.Options options = LogFormatBenchmark.Options.parse(
        new String[] {"--docs", "2500", "--runs", "1", "--warmup", "0", "--out", "none"});
    assertTrue(new LogFormatBenchmark(options, new PrintStream(buf, true,
        StandardCharsets.UTF_8)).run());
    String report = buf.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("| JSON text |"), report);
    assertTrue(report.contains("| binary (converge.format: document) |"), report);
    assertTrue(report.contains("| JSON / binary |"), report);
  }

  @Test
  void optionsAreChecked() {
    assertEquals(200_000, LogFormatBenchmark.Options.parse(new String[0]).docs());
    assertThrows(IllegalArgumentException.class,
        () -> LogFormatBenchmark.Options.parse(new String[] {"--docs", "0"}));
    assertThrows(IllegalArgumentException.class,
        () -> LogFormatBenchmark.Options.parse(new String[] {"--rows", "5"}));
  }
}
