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
    SqlLogicTest.Run run = SqlLogicTest.run(List.of(args).subList(1, args.length), dir);
    run.write(Path.of(args[0]), String.join(",", List.of(args).subList(1, args.length)));
    System.exit(0);
  }
}
