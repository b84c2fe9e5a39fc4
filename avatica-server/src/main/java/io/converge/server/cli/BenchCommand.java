package io.converge.server.cli;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code converge bench ARGS...}: hands every argument (including {@code --help}) to
 * {@code io.converge.bench.BenchMain} when the bench module is on the classpath.
 */
@Command(name = "bench",
    description = {"Run the checked-in benchmarks (module bench): every argument, --help "
        + "included, goes to io.converge.bench.BenchMain.",
        "Needs the bench module built: mvn -B -o install -DskipTests (bin/converge then uses "
            + "bench/target/lib)."})
final class BenchCommand implements Callable<Integer> {
  static final String BENCH_MAIN = "io.converge.bench.BenchMain";

  @Spec
  CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "ARG", description = "Arguments for BenchMain.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Method main;
    try {
      main = Class.forName(BENCH_MAIN).getMethod("main", String[].class);
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("converge bench: the benchmark module is not on the classpath ("
          + BENCH_MAIN + " not found).");
      err.println("Build it with:  mvn -B -o install -DskipTests -pl bench -am");
      err.println("then run:       bin/converge bench " + String.join(" ", args));
      err.println("(bin/converge uses bench/target/lib when it exists.)");
      err.println();
      spec.commandLine().usage(err);
      return ConvergeCli.FAILED;
    }
    try {
      main.invoke(null, (Object) args.toArray(new String[0]));
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw (Error) cause;
    }
    return ConvergeCli.OK;
  }
}
