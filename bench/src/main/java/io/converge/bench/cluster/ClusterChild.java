package io.converge.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.cluster.cli.ClusterFile;
import io.converge.server.cli.ConvergeCli;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * A local cluster started with {@code converge cluster start --kafka BOOTSTRAP} (in this JVM,
 * through the CLI: its processes are children on loopback) and stopped with {@code cluster stop};
 * the broker is the caller's and outlives it.
 */
final class ClusterChild implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final ClusterFile file;
  private final int port;
  private final PrintStream log;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final Thread stopOnExit = new Thread(this::stop, "stop-cluster");
  private boolean stopped;

  private ClusterChild(Path dir, ClusterFile file, int port, PrintStream log) {
    this.dir = dir;
    this.file = file;
    this.port = port;
    this.log = log;
    // the cluster's processes outlive this JVM: stop them if it is ended first
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  /** Starts {@code leaves} leaves (one replica group) and an aggregator without authentication. */
  static ClusterChild start(Path dir, String bootstrap, int leaves, int partitions, String heap,
      PrintStream log) throws IOException {
    int port = ServerChild.freePort();
    int rc = cli(log, "cluster", "start", "--dir", dir.toString(), "--kafka", bootstrap,
        "--leaves", String.valueOf(leaves), "--replicas", "1", "--partitions",
        String.valueOf(partitions), "--port", String.valueOf(port), "--no-auth", "--leaf-heap",
        heap, "--aggregator-heap", heap);
    ClusterFile file = ClusterFile.read(dir);
    ClusterChild c = new ClusterChild(dir, file, port, log);
    if (rc != 0 || file == null) {
      c.close();
      throw new IllegalStateException("cluster start --dir " + dir + " failed (status " + rc
          + "); see " + dir.resolve("logs"));
    }
    return c;
  }

  private static int cli(PrintStream log, String... args) {
    CommandLine cl = ConvergeCli.commandLine();
    PrintWriter w = new PrintWriter(log, true, StandardCharsets.UTF_8);
    cl.setOut(w);
    cl.setErr(w);
    return cl.execute(args);
  }

  String jdbcUrl() {
    return file.jdbcUrl();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The leaves' pids by name ({@code leaf-g0-0}, ...) and the aggregator's under its name. */
  Map<String, Long> pids() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (ClusterFile.Proc p : file.processes()) {
      if (p.role().equals(ClusterFile.LEAF) || p.role().equals(ClusterFile.AGGREGATOR)) {
        m.put(p.name(), p.pid());
      }
    }
    return m;
  }

  /** The leaves' {@code GET /metrics} by name. */
  Map<String, URI> leafMetrics() {
    Map<String, URI> m = new LinkedHashMap<>();
    for (ClusterFile.Proc p : file.processes()) {
      Integer port = p.ports() == null ? null : p.ports().get("metrics");
      if (p.role().equals(ClusterFile.LEAF) && port != null) {
        m.put(p.name(), URI.create("http://127.0.0.1:" + port + "/metrics"));
      }
    }
    return m;
  }

  /** {@code GET /v1/cluster}. */
  JsonNode status() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl()
        + "/v1/cluster")).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /v1/cluster answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /**
   * Waits until every partition of {@code collection} is served by a live leaf of this cluster
   * whose applied offset (announced {@code nextOffset}) reached {@code endOffsets}.
   *
   * @return the wait in nanoseconds
   */
  long awaitApplied(String collection, Map<Integer, Long> endOffsets, Duration timeout)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    long nextReport = t0 + 10_000_000_000L;
    String last = "no answer yet";
    while (true) {
      try {
        String missing = missing(status(), collection, endOffsets,
            new java.util.HashSet<>(pids().values()));
        if (missing == null) {
          return System.nanoTime() - t0;
        }
        last = missing;
      } catch (IOException e) {
        last = e.toString();
      }
      if (System.nanoTime() > nextReport) {
        log.println("  waiting for the leaves to apply " + collection + ": " + last);
        nextReport += 10_000_000_000L;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the leaves did not apply " + collection + " within "
            + timeout.toSeconds() + " s: " + last);
      }
      Thread.sleep(200);
    }
  }

  /** What is not applied yet, or null when every partition is. */
  static String missing(JsonNode status, String collection, Map<Integer, Long> endOffsets,
      java.util.Set<Long> ours) {
    Map<Integer, Long> applied = new java.util.TreeMap<>();
    for (JsonNode leaf : status.path("leaves")) {
      if (!leaf.path("alive").asBoolean() || !ours.contains(leaf.path("pid").asLong())) {
        continue;
      }
      for (JsonNode s : leaf.path("partitions")) {
        if (s.path("collection").asText().equals(collection) && s.path("serving").asBoolean()) {
          applied.merge(s.path("partition").asInt(), s.path("nextOffset").asLong(), Math::max);
        }
      }
    }
    StringBuilder b = new StringBuilder();
    int behind = 0;
    for (Map.Entry<Integer, Long> e : endOffsets.entrySet()) {
      long at = applied.getOrDefault(e.getKey(), -1L);
      if (at < e.getValue()) {
        behind++;
        if (b.length() < 200) {
          b.append(" p").append(e.getKey()).append(' ').append(at < 0 ? "unserved" : at + "/"
              + e.getValue());
        }
      }
    }
    return behind == 0 ? null : behind + " partitions behind:" + b;
  }

  /** {@code cluster stop}: aggregator, then leaves (the broker is not this cluster's). */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs
    }
    stop();
  }

  private synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    int rc = cli(log, "cluster", "stop", "--dir", dir.toString());
    if (rc != 0) {
      log.println("cluster stop --dir " + dir + " answered status " + rc);
    }
  }
}
