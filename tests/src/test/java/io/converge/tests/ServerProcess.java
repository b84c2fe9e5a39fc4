package io.converge.tests;

import io.converge.server.cli.ConvergeCli;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code converge server} in a child JVM (the test class path, {@code ConvergeCli}) on a free
 * loopback port, its output in a log file. The port is read from the {@code JDBC URL:} line the
 * server prints once it listens. {@link #kill()} sends SIGKILL: no shutdown hook, no RocksDB close.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern URL = Pattern.compile("JDBC URL:\\s+(\\S+)");
  private static final Pattern HOST_PORT = Pattern.compile("url=http://([^;/]+)");
  /** Exit status of a process ended by signal 9 (128 + 9), as {@link Process} reports it. */
  public static final int SIGKILL_STATUS = 137;
  static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Process process;
  private final String jdbcUrl;
  private final String apiUrl;
  private final Path log;

  private ServerProcess(Process process, String jdbcUrl, Path log) {
    this.process = process;
    this.jdbcUrl = jdbcUrl;
    Matcher m = HOST_PORT.matcher(jdbcUrl);
    if (!m.find()) {
      throw new IllegalStateException("no host:port in " + jdbcUrl);
    }
    this.apiUrl = "http://" + m.group(1) + "/v1";
    this.log = log;
  }

  /**
   * The arguments that make {@code server} run without authentication when the command has such
   * a switch (authentication is off by default where it does not).
   */
  static List<String> noAuthArguments() {
    var server = ConvergeCli.commandLine().getSubcommands().get("server").getCommandSpec();
    return server.findOption("--no-auth") != null ? List.of("--no-auth") : List.of();
  }

  /** Starts {@code converge server --data-dir DATA --port 0 EXTRA...} and waits until it listens. */
  public static ServerProcess start(Path log, Path data, List<String> extra) throws Exception {
    return start(log, data, extra, null);
  }

  /**
   * @param fileSizeLimitKb when not null, the child runs under {@code ulimit -f} of that many KiB
   *     (a write past it fails with EFBIG, as on a full disk)
   */
  public static ServerProcess start(Path log, Path data, List<String> extra, Long fileSizeLimitKb)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "io.converge.server.cli.ConvergeCli", "server", "--data-dir", data.toString(),
        "--port", "0"));
    cmd.addAll(noAuthArguments());
    cmd.addAll(extra);
    if (fileSizeLimitKb != null) {
      // RocksDB copies its 17 MB native library to a temporary file on load, past the limit:
      // hand the child a copy made here instead.
      cmd.add(1, "-Djava.library.path=" + nativeLibraryDirectory(log.getParent()));
      List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
          "ulimit -f " + fileSizeLimitKb + " && exec \"$@\"", "sh"));
      wrapped.addAll(cmd);
      cmd = wrapped;
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.readString(log);
      Matcher m = URL.matcher(text);
      if (m.find()) {
        return new ServerProcess(p, m.group(1), log);
      }
      if (!p.isAlive()) {
        throw new AssertionError("converge server exited " + p.exitValue() + ":\n" + text);
      }
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new AssertionError("converge server did not start:\n" + Files.readString(log));
  }

  /** A directory holding RocksDB's native library for this platform, as the JVM loads it. */
  static Path nativeLibraryDirectory(Path parent) throws IOException {
    String name = System.mapLibraryName("rocksdbjni-linux64");
    Path dir = parent.resolve("native");
    Path lib = dir.resolve(name);
    if (!Files.exists(lib)) {
      Files.createDirectories(dir);
      try (InputStream in = ServerProcess.class.getClassLoader().getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("no " + name + " on the class path");
        }
        Files.copy(in, lib);
      }
    }
    return dir;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** Base URL of the HTTP API, {@code http://127.0.0.1:PORT/v1}. */
  public String apiUrl() {
    return apiUrl;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * SIGKILL ({@link Process#destroyForcibly()} on Linux), then waits; returns the exit status,
   * {@value #SIGKILL_STATUS} when the signal ended it.
   */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the server process did not die within 60 s of SIGKILL");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
