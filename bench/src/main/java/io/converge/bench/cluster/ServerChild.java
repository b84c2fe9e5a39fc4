package io.converge.bench.cluster;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A one-process {@code converge server} as a child JVM on loopback (same runtime and class path
 * as this one), so that its CPU time can be read apart from the client's.
 */
final class ServerChild implements AutoCloseable {
  private final Process process;
  private final int port;

  private ServerChild(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts {@code server --data-dir DIR --no-auth} and returns once it answers HTTP. */
  static ServerChild start(Path dataDir, String heap, Path log, Duration timeout)
      throws IOException, InterruptedException {
    int port = freePort();
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-Xmx" + heap, "-Dcalcite.bindable.cache.maxSize=1000", "-cp",
        System.getProperty("java.class.path"), "io.converge.server.cli.ConvergeCli", "server",
        "--data-dir", dataDir.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port),
        "--no-auth");
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    ServerChild child = new ServerChild(pb.start(), port);
    try {
      awaitHttp(child.process, "http://127.0.0.1:" + port + "/", log, timeout);
      return child;
    } catch (InterruptedException | RuntimeException e) {
      child.close();
      throw e;
    }
  }

  long pid() {
    return process.pid();
  }

  String jdbcUrl() {
    return "jdbc:avatica:remote:url=http://127.0.0.1:" + port + ";serialization=protobuf";
  }

  /** Waits until {@code url} answers anything, the process is gone or the time is up. */
  static void awaitHttp(Process p, String url, Path log, Duration timeout)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        http.send(probe, HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException e) {
        if (p != null && !p.isAlive()) {
          throw new IllegalStateException("the server exited (status " + p.exitValue()
              + "); see " + log);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no answer from " + url + " in " + timeout.toSeconds()
              + " s; see " + log);
        }
        Thread.sleep(250);
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** SIGTERM, then SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
