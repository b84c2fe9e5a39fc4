package io.converge.tests.slt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import io.converge.tests.Servers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import net.hydromatic.sqllogictest.Main;
import net.hydromatic.sqllogictest.OptionsParser;
import net.hydromatic.sqllogictest.TestStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite's sqllogictest files through the {@code net.hydromatic:sql-logic-test} runner against
 * Converge, through a real server and the Avatica remote driver, and against DuckDB (in-process)
 * in the same run for comparison.
 *
 * <p>System properties:
 * <ul>
 *   <li>{@code converge.slt}: {@code ci} (default: {@link #CI_FILES}), {@code all}
 *       ({@code select1} .. {@code select5}), or a comma-separated list of file names as the
 *       runner knows them ({@code select3.test,index/between/1/slt_good_0.test});
 *   <li>{@code converge.slt.report}: where to write the Markdown report (default
 *       {@code target/sqllogictest.md}; {@code bin/converge}'s documented command writes
 *       {@code docs/sqllogictest.md});
 *   <li>{@code converge.slt.reference=false} skips DuckDB;
 *   <li>{@code converge.slt.embedded=true} runs Converge embedded (a {@code jdbc:calcite:}
 *       connection in this JVM) instead of through the server;
 *   <li>{@code converge.slt.pushdown=false} turns Converge's planner rules off.
 * </ul>
 * The test fails when a Converge statement fails or when a file's failed-query count differs
 * from {@code slt/expected-failures.properties} (0 unless listed), so a query that passed cannot
 * regress silently and the checked-in count stays the truth.
 */
class SqlLogicTest {
  /** The files CI runs (all four finish in about two minutes on 2 cores, both engines). */
  static final List<String> CI_FILES = List.of("select1.test", "select2.test", "select3.test",
      "select4.test");
  static final List<String> ALL_FILES = List.of("select1.test", "select2.test", "select3.test",
      "select4.test", "select5.test");

  @TempDir
  Path dataDir;

  @Test
  void convergePassesTheSelectFilesOfSqlLogicTest() throws IOException {
    String which = System.getProperty("converge.slt", "ci");
    List<String> files = switch (which) {
      case "ci" -> CI_FILES;
      case "all" -> ALL_FILES;
      default -> List.of(which.split(","));
    };
    Run run = run(files, dataDir);
    Path out = Paths.get(System.getProperty("converge.slt.report", "target/sqllogictest.md"));
    run.write(out, which);
    SltReport report = run.report;

    Properties expected = new Properties();
    try (InputStream in = SqlLogicTest.class.getResourceAsStream(
        "/slt/expected-failures.properties")) {
      if (in != null) {
        expected.load(in);
      }
    }
    List<String> problems = new ArrayList<>();
    for (SltFileResult r : report.results) {
      if (!r.engine.equals("Converge")) {
        continue;
      }
      String file = r.file.replace("test/", "");
      int want = Integer.parseInt(expected.getProperty(file, "0"));
      if (r.statementsFailed != 0) {
        problems.add(file + ": " + r.statementsFailed + " statement(s) failed");
      }
      if (r.queriesFailed != want) {
        problems.add(file + ": " + r.queriesFailed + " failed queries, expected " + want
            + (r.queriesFailed < want ? " (fewer: lower the count in "
                + "slt/expected-failures.properties)" : " (a query regressed)"));
      }
    }
    for (String f : files) {
      assertTrue(report.get("Converge", "test/" + f) != null, "Converge did not run " + f);
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n(report: " + out + ")");
  }

  /** The report of one run and the engines it ran. */
  record Run(SltReport report, List<SltEngine> engines) {
    void write(Path out, String which) throws IOException {
      String command = "mvn -B -o test -pl tests -Dtest=SqlLogicTest "
          + "-Dsurefire.failIfNoSpecifiedTests=false"
          + ("ci".equals(which) ? "" : " -Dconverge.slt=" + which);
      String machine = Runtime.getRuntime().availableProcessors() + " cores, Java "
          + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
          + System.getProperty("os.arch") + ", " + java.time.LocalDate.now() + ", load average "
          + String.format("%.1f", java.lang.management.ManagementFactory
              .getOperatingSystemMXBean().getSystemLoadAverage()) + " at the end";
      String md = report.markdown("SQLite sqllogictest: Converge and DuckDB", engines, command,
          machine);
      report.write(out, md);
      System.out.println(md);
    }
  }

  /** Runs {@code files} on Converge (over a store in {@code dataDir}) and on DuckDB. */
  static Run run(List<String> files, Path dataDir) throws IOException {
    SltReport report = new SltReport();
    List<SltEngine> engines = new ArrayList<>();
    boolean embedded = Boolean.getBoolean("converge.slt.embedded");
    Properties info = new Properties();
    String pushdown = System.getProperty("converge.slt.pushdown");
    if (pushdown != null) {
      info.setProperty("pushdown", pushdown);
    }
    ConvergeServer server = embedded ? null : Servers.start(dataDir);
    try {
      if (embedded) {
        engines.add(SltEngine.converge(io.converge.adapter.ConvergeJdbc.url(dataDir), info,
            "Converge embedded (jdbc:calcite: URL of ConvergeJdbc, in the test's JVM)"
                + (pushdown == null ? "" : ", pushdown=" + pushdown)));
      } else {
        engines.add(SltEngine.converge(server.jdbcUrl(), info,
            "Converge server on a loopback port, Avatica remote driver (" + server.jdbcUrl()
                + "), one fresh connection and empty schema per file"
                + (pushdown == null ? "" : ", pushdown=" + pushdown)));
      }
      if (!"false".equals(System.getProperty("converge.slt.reference"))) {
        engines.add(SltEngine.duckdb());
      }
      for (SltEngine engine : engines) {
        OptionsParser parser = new OptionsParser(false, System.out, System.err);
        String name = engine.name().toLowerCase(java.util.Locale.ROOT);
        parser.registerExecutor(name,
            () -> new SltExecutor(parser.getOptions(), engine, report::add));
        List<String> args = new ArrayList<>(List.of("-e", name));
        args.addAll(files);
        TestStatistics stats = Main.execute(parser, args.toArray(new String[0]));
        assertTrue(stats != null, "the runner did not start for " + engine.name());
        assertEquals(0, stats.getParseFailureCount(), "test files the runner could not parse");
      }
    } finally {
      if (server != null) {
        server.stop();
      } else {
        io.converge.adapter.ConvergeSchemaFactory.release(dataDir);
      }
    }
    report.results.sort(java.util.Comparator.comparing((SltFileResult r) -> r.file)
        .thenComparing(r -> r.engine.equals("Converge") ? 0 : 1));
    return new Run(report, engines);
  }
}
