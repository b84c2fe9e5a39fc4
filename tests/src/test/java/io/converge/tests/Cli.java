package io.converge.tests;

import io.converge.server.cli.ConvergeCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the command-line tool in-process and captures what it prints. */
public final class Cli {
  private Cli() {}

  /** Exit status and the text printed on stdout and stderr. */
  public record Result(int exit, String out, String err) {
    public String all() {
      return out + err;
    }
  }

  /**
   * Runs {@code ConvergeCli} (configured as its {@code main} does) with {@code args}. Both
   * picocli's writers and System.out/err are captured, since a sub-command may print either way.
   * Not for concurrent use.
   */
  public static synchronized Result run(String... args) {
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    int exit;
    System.setOut(out);
    System.setErr(err);
    try {
      CommandLine cmd = ConvergeCli.commandLine();
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(err, true));
      exit = cmd.execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    out.flush();
    err.flush();
    Result r = new Result(exit, outBytes.toString(StandardCharsets.UTF_8),
        errBytes.toString(StandardCharsets.UTF_8));
    oldOut.println("converge " + String.join(" ", args) + " -> exit " + exit);
    oldOut.print(r.out());
    oldErr.print(r.err());
    return r;
  }
}
