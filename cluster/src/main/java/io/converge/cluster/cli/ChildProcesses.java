package io.converge.cluster.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Launching a role as a child JVM of this one ({@code ConvergeCli <role> ...} on the same runtime
 * and class path), recognising it later by the marker that is its first argument, and stopping it.
 */
final class ChildProcesses {
  private ChildProcesses() {}

  /**
   * The marker naming a process of the cluster in {@code dir}: tells it from an unrelated process
   * that reuses a recorded pid (Linux shows only the first 4 KB of a command line, so it comes
   * first, before the long class path).
   */
  static String marker(Path dir, String name) {
    return JvmFlags.MARKER + dir.toAbsolutePath().normalize().resolve(name);
  }

  /**
   * Starts {@code ConvergeCli args...} detached from this JVM (it outlives the launcher), its
   * output appended to {@code log}.
   */
  static Process launch(Path dir, String name, String heap, List<String> args, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(JvmFlags.java());
    command.add(marker(dir, name));
    command.add("-Xmx" + heap);
    command.add(JvmFlags.ARROW_OPENS);
    command.add("-Dcalcite.bindable.cache.maxSize=1000");
    // Converge's own switches given to the launcher (JAVA_OPTS) hold for every role it starts
    for (String key : new java.util.TreeSet<>(System.getProperties().stringPropertyNames())) {
      if (key.startsWith("converge.")) {
        command.add("-D" + key + "=" + System.getProperty(key));
      }
    }
    command.add("-cp");
    command.add(JvmFlags.classPath());
    command.add("io.converge.server.cli.ConvergeCli");
    command.addAll(args);
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return pb.start();
  }

  /** The process {@code pid} if it is alive and is the one launched under {@code marker}. */
  static Optional<ProcessHandle> running(long pid, String marker) {
    if (pid <= 0) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(true));
  }

  /** Asks it to stop (SIGTERM), waits up to {@code grace}, then kills it (SIGKILL). */
  static void stop(ProcessHandle p, Duration grace) {
    CompletableFuture<ProcessHandle> exited = p.onExit();
    p.destroy();
    awaitOrKill(p, exited, grace);
  }

  /** Waits up to {@code grace} for a process already asked to stop, then kills it. */
  static void awaitOrKill(ProcessHandle p, CompletableFuture<ProcessHandle> exited,
      Duration grace) {
    try {
      exited.get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      p.destroyForcibly();
      try {
        exited.get(10, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException ignored) {
        // SIGKILL was sent; the kernel reaps it
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The last {@code maxChars} characters of a log, for an error message. */
  static String tail(Path log, int maxChars) {
    try {
      String all = Files.readString(log, StandardCharsets.UTF_8);
      return all.length() <= maxChars ? all : all.substring(all.length() - maxChars);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}
