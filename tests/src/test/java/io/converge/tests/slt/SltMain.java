package io.converge.tests.slt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs sqllogictest files outside JUnit (for long runs in a separate JVM):
 * {@code java -cp TEST_CLASSPATH io.converge.tests.slt.SltMain REPORT.md select3.test ...},
 * with the same system properties as {@link SqlLogicTest}.
 */
public final class SltMain {
  private SltMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("converge-slt-");
    String which = String.join(",", List.of(args).subList(1, args.length));
    // Rewrites the report every minute, so a run stopped early still leaves its figures (files
    // still running are marked as such).
    java.util.concurrent.ScheduledExecutorService every =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "slt-report");
          t.setDaemon(true);
          return t;
        });
    SqlLogicTest.Run run = SqlLogicTest.run(List.of(args).subList(1, args.length), dir,
        started -> every.scheduleAtFixedRate(() -> {
          try {
            started.write(Path.of(args[0]), which);
          } catch (Exception e) {
            System.err.println("cannot write the report: " + e);
          }
        }, 60, 60, java.util.concurrent.TimeUnit.SECONDS));
    every.shutdownNow();
    run.write(Path.of(args[0]), which);
    System.exit(0);
  }
}
