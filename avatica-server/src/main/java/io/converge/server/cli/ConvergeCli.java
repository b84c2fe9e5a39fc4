package io.converge.server.cli;

import io.converge.storage.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code converge} command line: {@code demo}, {@code server}, {@code load}, {@code sql},
 * {@code check}, {@code backup}, {@code user} and {@code bench}, plus those of every
 * {@link CliExtension} on the class path (the cluster's {@code cluster}, {@code leaf},
 * {@code aggregator}).
 *
 * <p>Exit status: {@value #OK} success; {@value #INCOMPLETE} the command ran but part of the work
 * failed (rejected input lines, a failed SQL statement); {@value #FAILED} nothing useful could be
 * done (bad arguments, missing file, data directory in use, port taken).
 */
@Command(name = "converge", mixinStandardHelpOptions = true, versionProvider = ConvergeCli.Version.class,
    description = "Converge: real-time analytics over a converged index on RocksDB, "
        + "SQL through Apache Calcite, JDBC through Avatica.",
    subcommands = {DemoCommand.class, ServerCommand.class, LoadCommand.class, SqlCommand.class,
        CheckCommand.class, BackupCommand.class, UserCommand.class,
        BenchCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:success", "1:partly failed (rejected input lines, failed SQL statement)",
        "2:failed (bad arguments, missing file, data directory in use, port in use)"})
public final class ConvergeCli implements Callable<Integer> {
  public static final int OK = 0;
  public static final int INCOMPLETE = 1;
  public static final int FAILED = 2;

  /** Calcite caches compiled statement classes only when this is set (off by default); set before Calcite loads. */
  static final String BINDABLE_CACHE = "calcite.bindable.cache.maxSize";

  @picocli.CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** No sub-command: the usage, on stderr, as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return FAILED;
  }

  public static void main(String[] args) {
    if (System.getProperty(BINDABLE_CACHE) == null) {
      System.setProperty(BINDABLE_CACHE, "1000");
    }
    configureLogging(args.length > 0 ? args[0] : "");
    int code = commandLine().execute(args);
    System.exit(code);
  }

  /** The configured command line (also used in-process by tests). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new ConvergeCli());
    for (CliExtension extension : extensions()) {
      for (Object command : extension.subcommands()) {
        cl.addSubcommand(command);
      }
    }
    // after the extensions: these settings reach only the sub-commands present now
    cl.setExecutionExceptionHandler(ConvergeCli::handleFailure);
    cl.setUsageHelpAutoWidth(true);
    // bench passes everything through to BenchMain, options included
    CommandLine bench = cl.getSubcommands().get("bench");
    bench.setUnmatchedOptionsArePositionalParams(true);
    bench.setUnmatchedArgumentsAllowed(true);
    return cl;
  }

  private static List<CliExtension> extensions() {
    return ServiceLoader.load(CliExtension.class).stream().map(ServiceLoader.Provider::get)
        .toList();
  }

  /**
   * Failures a user can act on are reported as one line, never as a stack trace; anything else
   * keeps its stack trace (it is a bug).
   */
  static int handleFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    String name = cl.getCommandSpec().qualifiedName(" ");
    if (isUserFacing(e)) {
      err.println(name + ": " + e.getMessage());
    } else {
      err.println(name + ": unexpected error: " + e);
      e.printStackTrace(err);
    }
    err.flush();
    return FAILED;
  }

  static boolean isUserFacing(Throwable e) {
    return e instanceof StoreException || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException || e instanceof IOException
        || e instanceof UncheckedIOException;
  }

  /**
   * One slf4j binding (slf4j-simple), configured before the first logger exists: the long-running
   * commands log at info, the others only warnings (their output is the point). Jetty is quiet.
   */
  static void configureLogging(String command) {
    boolean serving = command.equals("demo") || command.equals("server")
        || extensions().stream().anyMatch(e -> e.servingCommands().contains(command));
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", serving ? "info" : "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.org.apache.calcite.avatica", "warn");
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** Version from the jar manifest when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ConvergeCli.class.getPackage().getImplementationVersion();
      return new String[] {"converge " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
