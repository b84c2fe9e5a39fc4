package io.converge.server.cli;

import io.converge.adapter.ConvergeJdbc;
import io.converge.jdbc.ConvergeDriver;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sqlline.SqlLine;

/** {@code converge sql}: sqlline connected to a server or, embedded, to a data directory. */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = {"Open sqlline connected to a Converge server (--url) or directly to a data "
        + "directory (--data-dir, embedded; the directory must not be in use by a server).",
        "With -f, run a script non-interactively; output defaults to csv when not on a terminal."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:every statement succeeded", "1:a statement or the connection failed",
        "2:bad arguments"})
final class SqlCommand implements Callable<Integer> {
  static final String AVATICA_DRIVER = "org.apache.calcite.avatica.remote.Driver";
  static final String CONVERGE_DRIVER = "io.converge.jdbc.ConvergeDriver";
  static final String AVATICA_REMOTE_PREFIX = "jdbc:avatica:remote:";
  static final String CALCITE_DRIVER = "org.apache.calcite.jdbc.Driver";

  /** Held so the level set on it is not lost to garbage collection. */
  private static final Logger JLINE_LOGGER = Logger.getLogger("org.jline");

  @Spec
  CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--url", required = true, paramLabel = "JDBC_URL",
        description = "JDBC URL of a server, e.g. "
            + "jdbc:converge:remote:url=http://127.0.0.1:8765;serialization=protobuf "
            + "(jdbc:avatica:remote:... means the same: Converge's driver, whose cancel "
            + "(Ctrl-C) and query timeouts reach the server)")
    String url;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
        description = "Data directory to query in-process.")
    Path dataDir;
  }

  @Option(names = {"-f", "--file"}, paramLabel = "FILE",
      description = "Run this SQL script and exit (non-zero when a statement fails).")
  Path script;

  @Option(names = "-e", paramLabel = "SQL",
      description = "Run this statement and exit (repeatable).")
  List<String> statements = new ArrayList<>();

  @Option(names = "--outputformat", paramLabel = "FORMAT",
      description = "sqlline output format: table, vertical, csv, tsv, json, ansiconsole, ... "
          + "(default: table on a terminal, csv otherwise).")
  String outputFormat;

  @Option(names = {"-n", "--user"}, paramLabel = "USER", description = "User name, if needed.")
  String user;

  @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD",
      description = "Password, if needed.")
  String password;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    String url;
    String driver;
    if (target.url != null) {
      url = convergeUrl(target.url);
      driver = url.startsWith(ConvergeDriver.CONNECT_STRING_PREFIX) ? CONVERGE_DRIVER
          : url.startsWith("jdbc:avatica:") ? AVATICA_DRIVER : null;
    } else {
      if (!Files.isDirectory(target.dataDir)) {
        err.println("converge sql: " + target.dataDir + ": no such data directory");
        return ConvergeCli.FAILED;
      }
      url = ConvergeJdbc.url(target.dataDir);
      driver = CALCITE_DRIVER;
    }
    if (script != null && !Files.isReadable(script)) {
      err.println("converge sql: " + script + ": no such file");
      return ConvergeCli.FAILED;
    }
    if (driver != null) {
      try {
        Class.forName(driver);
      } catch (ClassNotFoundException e) {
        err.println("converge sql: JDBC driver " + driver + " is not on the classpath");
        return ConvergeCli.FAILED;
      }
    }
    err.flush();
    boolean terminal = System.console() != null;
    if (!terminal) {
      // jline warns through java.util.logging that it falls back to a dumb terminal
      JLINE_LOGGER.setLevel(Level.SEVERE);
    }
    treatScriptErrorsLikeInteractiveOnes();
    SqlLine.Status status = new SqlLine().begin(
        sqllineArgs(url, driver, terminal), null, script == null && terminal);
    return switch (status) {
      case OK -> ConvergeCli.OK;
      case ARGS -> ConvergeCli.FAILED;
      default -> ConvergeCli.INCOMPLETE;
    };
  }

  /**
   * The URL sqlline connects with: an Avatica remote URL becomes the same URL of Converge's
   * driver (the same protocol, plus cancel and query timeouts that reach the server, so Ctrl-C
   * stops a running query); any other URL is left as it is.
   */
  static String convergeUrl(String url) {
    return url.startsWith(AVATICA_REMOTE_PREFIX)
        ? ConvergeDriver.CONNECT_STRING_PREFIX + url.substring(AVATICA_REMOTE_PREFIX.length())
        : url;
  }

  /**
   * sqlline runs {@code --run} scripts before it marks its start-up complete, and until then it
   * prints a full client and server stack trace for every failed statement. Marking start-up
   * complete first makes a script's errors print as in an interactive session: one line with
   * the server's message (Calcite's, for bad SQL).
   */
  private static void treatScriptErrorsLikeInteractiveOnes() {
    try {
      Field f = SqlLine.class.getDeclaredField("initComplete");
      f.setAccessible(true);
      f.setBoolean(null, true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // another sqlline version: errors keep their stack traces, nothing else changes
    }
  }

  /** The sqlline command line for this invocation. */
  String[] sqllineArgs(String url, String driver, boolean terminal) {
    List<String> args = new ArrayList<>();
    args.add("-u");
    args.add(url);
    args.add("-n");
    args.add(user == null ? "" : user);
    args.add("-p");
    args.add(password == null ? "" : password);
    if (driver != null) {
      args.add("-d");
      args.add(driver);
    }
    args.add("--isolation=TRANSACTION_NONE");
    String format = outputFormat != null ? outputFormat : terminal ? null : "csv";
    if (format != null) {
      args.add("--outputformat=" + format);
    }
    if (!terminal && (script != null || !statements.isEmpty())) {
      // only results on stdout (no banner, echo or "N rows selected"); errors still go to stderr
      args.add("--silent=true");
    }
    for (String sql : statements) {
      args.add("-e");
      args.add(sql);
    }
    if (script != null) {
      args.add("--run=" + script);
    }
    return args.toArray(new String[0]);
  }
}
