package io.converge.cluster.cli;

import io.converge.kafka.local.LocalKafkaBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster on this machine, every role its own OS process on 127.0.0.1, all under one directory:
 *
 * <pre>
 * DIR/cluster.json        the processes and the options ({@link ClusterFile})
 * DIR/kafka/              the KRaft broker ({@link LocalKafkaBroker}), unless --kafka
 * DIR/leaf-g0-0/ ...      a leaf's data directory: leaf-&lt;replica group&gt;-&lt;n&gt;
 * DIR/logs/&lt;name&gt;.log     each process's output
 * </pre>
 *
 * <p>Started in order broker, leaves, aggregator; stopped in the reverse order. {@code cluster.json}
 * is rewritten after each launch, so a start that fails half-way can still be stopped.
 */
final class LocalCluster {
  static final Duration AGGREGATOR_GRACE = Duration.ofSeconds(20);
  static final Duration LEAF_GRACE = Duration.ofSeconds(30);
  static final Duration KAFKA_GRACE = Duration.ofSeconds(30);

  private final Path dir;
  private final PrintWriter out;

  LocalCluster(Path dir, PrintWriter out) {
    this.dir = dir.toAbsolutePath().normalize();
    this.out = out;
    // the launcher's own Kafka clients warn of every refused connection while a broker comes up
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    }
  }

  Path dir() {
    return dir;
  }

  /** The processes of the cluster file that still run. */
  List<ClusterFile.Proc> running(ClusterFile file) throws IOException {
    List<ClusterFile.Proc> alive = new ArrayList<>();
    for (ClusterFile.Proc p : file.processes()) {
      if (handle(p).isPresent()) {
        alive.add(p);
      }
    }
    return alive;
  }

  /** The process if it runs. */
  Optional<ProcessHandle> process(ClusterFile.Proc p) throws IOException {
    return handle(p);
  }

  private Optional<ProcessHandle> handle(ClusterFile.Proc p) throws IOException {
    if (p.role().equals(ClusterFile.KAFKA)) {
      return LocalKafkaBroker.runningIn(kafkaDir());
    }
    return ChildProcesses.running(p.pid(), ChildProcesses.marker(dir, p.name()));
  }

  private Path kafkaDir() {
    return dir.resolve("kafka");
  }

  Path log(String name) {
    return dir.resolve("logs").resolve(name + ".log");
  }

  /**
   * Starts (or resumes) the cluster and returns once the aggregator answers HTTP.
   *
   * @param previous the cluster file found in the directory, or null for a new cluster
   * @throws IllegalStateException when processes of this cluster still run, or a role does not
   *     come up in time (what it started is stopped again)
   */
  ClusterFile start(ClusterSettings s, ClusterFile previous, Duration timeout)
      throws IOException, InterruptedException {
    if (previous != null) {
      List<ClusterFile.Proc> alive = running(previous);
      if (!alive.isEmpty()) {
        throw new IllegalStateException("the cluster in " + dir + " is running (" + names(alive)
            + "); stop it first with: bin/converge cluster stop --dir " + dir);
      }
    }
    Files.createDirectories(dir.resolve("logs"));
    long deadline = System.nanoTime() + timeout.toNanos();
    ClusterFile file = new ClusterFile(previous == null ? List.of() : previous.processes(), s,
        previous == null ? null : previous.bootstrap(), previous == null ? null
            : previous.jdbcUrl(), previous != null && previous.sampleDataLoaded(),
        previous == null ? List.of() : previous.removedLeaves());
    try {
      file = startKafka(file, s);
      file = startLeaves(file, s, deadline);
      file = startAggregator(file, s, deadline);
      return file;
    } catch (IOException | InterruptedException | RuntimeException e) {
      out.println("Stopping what was started ...");
      out.flush();
      stop(file, false);
      throw e;
    }
  }

  private ClusterFile startKafka(ClusterFile file, ClusterSettings s)
      throws IOException, InterruptedException {
    if (s.kafka() != null) {
      return file.withBootstrap(s.kafka());
    }
    out.println("Starting Kafka (KRaft) in " + kafkaDir() + " ...");
    out.flush();
    LocalKafkaBroker broker = LocalKafkaBroker.start(kafkaDir(), LocalKafkaBroker.Options
        .defaults().detached(true).readyTimeout(Duration.ofSeconds(90))
        .jvmOptions(List.of("-Xmx" + s.kafkaHeap(), "-XX:+UseSerialGC", JvmFlags.ARROW_OPENS,
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")));
    Path link = log(ClusterFile.KAFKA);
    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(link, link.getParent().relativize(kafkaDir().resolve("kafka.log")));
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("kafka", broker.port());
    ports.put("controller", broker.controllerPort());
    file = file.withBootstrap(broker.bootstrap()).withProcess(new ClusterFile.Proc(
        ClusterFile.KAFKA, ClusterFile.KAFKA, broker.pid(), ports, kafkaDir().toString(), null,
        link.toString()));
    file.write(dir);
    return file;
  }

  private ClusterFile startLeaves(ClusterFile file, ClusterSettings s, long deadline)
      throws IOException, InterruptedException {
    List<ClusterFile.Proc> launched = new ArrayList<>();
    List<Process> processes = new ArrayList<>();
    for (Map.Entry<String, String> leaf : file.leaves()) {
      Launched l = launchLeaf(file, s, leaf.getKey(), leaf.getValue());
      file = l.file();
      launched.add(l.proc());
      processes.add(l.process());
    }
    out.println("Started " + launched.size() + " leaves (" + s.replicas() + " replica group"
        + (s.replicas() == 1 ? "" : "s") + "); waiting for them ...");
    out.flush();
    for (int i = 0; i < launched.size(); i++) {
      ClusterFile.Proc proc = launched.get(i);
      awaitPort(processes.get(i), proc, proc.ports().get("flight"), deadline);
    }
    return file;
  }

  /** A leaf process just launched and the cluster file that lists it (already written). */
  record Launched(ClusterFile file, ClusterFile.Proc proc, Process process) {}

  /**
   * Launches the leaf {@code name} of {@code group} on its earlier ports when they are free, and
   * writes the cluster file listing it.
   */
  Launched launchLeaf(ClusterFile file, ClusterSettings s, String name, String group)
      throws IOException {
    ClusterFile.Proc before = file.named(name);
    int port = before != null && before.ports().get("flight") != null
        && ChildProcesses.portFree(before.ports().get("flight"))
        ? before.ports().get("flight") : ChildProcesses.freePort();
    int metrics = before != null && before.ports().get("metrics") != null
        && ChildProcesses.portFree(before.ports().get("metrics"))
        ? before.ports().get("metrics") : ChildProcesses.freePort();
    for (int tries = 0; metrics == port && tries < 10; tries++) {
      metrics = ChildProcesses.freePort(); // two free ports asked in a row may be one
    }
    Path data = dir.resolve(name);
    List<String> args = List.of("leaf", "--kafka", file.bootstrap(), "--data-dir",
        data.toString(), "--replica-group", group, "--host", "127.0.0.1", "--port",
        String.valueOf(port), "--http-port", String.valueOf(metrics));
    Process p = ChildProcesses.launch(dir, name, s.leafHeap(), args, log(name));
    ClusterFile.Proc proc = new ClusterFile.Proc(ClusterFile.LEAF, name, p.pid(),
        Map.of("flight", port, "metrics", metrics), data.toString(), group,
        log(name).toString());
    file = file.withProcess(proc);
    file.write(dir);
    return new Launched(file, proc, p);
  }

  /** Waits until a leaf just launched accepts connections on its Arrow Flight port. */
  void awaitLeaf(Launched l, long deadline) throws InterruptedException {
    awaitPort(l.process(), l.proc(), l.proc().ports().get("flight"), deadline);
  }

  /** {@code leaf-<replica group>-<n>}: the name (and data directory) of a leaf. */
  static String leafName(String group, int n) {
    return "leaf-" + group + "-" + n;
  }

  private ClusterFile startAggregator(ClusterFile file, ClusterSettings s, long deadline)
      throws IOException, InterruptedException {
    for (int i = 0; i < s.aggregators(); i++) {
      if (!ChildProcesses.portFree(s.aggregatorPort(i))) {
        throw new IllegalStateException("port " + s.aggregatorPort(i) + " on 127.0.0.1 is in "
            + "use; pass --port with a free one" + (s.aggregators() > 1 ? " (the aggregators take "
            + s.aggregators() + " ports from it)" : ""));
      }
    }
    List<ClusterFile.Proc> others = new ArrayList<>(file.processes());
    others.removeIf(p -> p.role().equals(ClusterFile.AGGREGATOR)); // a resume may run fewer
    file = new ClusterFile(others, file.options(), file.bootstrap(), file.jdbcUrl(),
        file.sampleDataLoaded(), file.removedLeaves());
    List<Process> started = new ArrayList<>();
    List<ClusterFile.Proc> procs = new ArrayList<>();
    for (int i = 0; i < s.aggregators(); i++) {
      int port = s.aggregatorPort(i);
      String name = aggregatorName(i);
      List<String> args = new ArrayList<>(List.of("aggregator", "--kafka", file.bootstrap(),
          "--host", "127.0.0.1", "--port", String.valueOf(port), "--partitions",
          String.valueOf(s.partitions())));
      if (s.noAuth()) {
        args.add("--no-auth");
      } else {
        args.add("--users");
        args.add(s.users());
      }
      Process p = ChildProcesses.launch(dir, name, s.aggregatorHeap(), args, log(name));
      ClusterFile.Proc proc = new ClusterFile.Proc(ClusterFile.AGGREGATOR, name, p.pid(),
          Map.of("http", port), null, null, log(name).toString());
      started.add(p);
      procs.add(proc);
      file = file.withProcess(proc);
    }
    file = file.withJdbcUrl(jdbcUrl(s.port()));
    file.write(dir);
    out.println("Started " + (s.aggregators() == 1 ? "the aggregator on 127.0.0.1:" + s.port()
        : s.aggregators() + " aggregators on 127.0.0.1:" + s.port() + "-"
        + s.aggregatorPort(s.aggregators() - 1)) + "; waiting for it ...");
    out.flush();
    for (int i = 0; i < started.size(); i++) {
      awaitHttp(started.get(i), procs.get(i), s.aggregatorPort(i), deadline);
    }
    return file;
  }

  /** {@code aggregator}, then {@code aggregator-2}, {@code aggregator-3}, ... */
  static String aggregatorName(int i) {
    return i == 0 ? ClusterFile.AGGREGATOR : ClusterFile.AGGREGATOR + "-" + (i + 1);
  }

  /** A URL of Converge's driver naming every aggregator, for failover between them. */
  static String failoverUrl(ClusterSettings s) {
    StringBuilder b = new StringBuilder("jdbc:converge:remote:url=");
    for (int i = 0; i < s.aggregators(); i++) {
      b.append(i == 0 ? "" : ",").append("http://127.0.0.1:").append(s.aggregatorPort(i));
    }
    return b.append(";serialization=protobuf").toString();
  }

  static String jdbcUrl(int port) {
    return "jdbc:avatica:remote:url=http://127.0.0.1:" + port + ";serialization=protobuf";
  }

  private void awaitPort(Process p, ClusterFile.Proc proc, int port, long deadline)
      throws InterruptedException {
    while (!ChildProcesses.accepts(port)) {
      checkAlive(p, proc);
      checkDeadline(proc, deadline);
      Thread.sleep(200);
    }
  }

  private void awaitHttp(Process p, ClusterFile.Proc proc, int port, long deadline)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/cluster"))
        .timeout(Duration.ofSeconds(5)).GET().build();
    while (true) {
      try {
        // any answer (401 with authentication on) means the server is up
        http.send(probe, HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException e) {
        checkAlive(p, proc);
        checkDeadline(proc, deadline);
        Thread.sleep(250);
      }
    }
  }

  private void checkAlive(Process p, ClusterFile.Proc proc) {
    if (!p.isAlive()) {
      throw new IllegalStateException(proc.name() + " exited (status " + p.exitValue()
          + "); the end of " + proc.log() + ":\n" + ChildProcesses.tail(Path.of(proc.log()), 3_000));
    }
  }

  private static void checkDeadline(ClusterFile.Proc proc, long deadline) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(proc.name() + " did not come up in time; see " + proc.log());
    }
  }

  /**
   * Stops the aggregator, then the leaves (together), then the local broker: each asked to stop
   * (SIGTERM), killed after a bound. Processes already gone are skipped.
   *
   * @return the names of the processes that were running
   */
  List<String> stop(ClusterFile file, boolean verbose) throws IOException {
    List<String> stopped = new ArrayList<>();
    for (ClusterFile.Proc p : file.role(ClusterFile.AGGREGATOR)) {
      Optional<ProcessHandle> h = handle(p);
      if (h.isPresent()) {
        say(verbose, "Stopping " + p.name() + " (pid " + p.pid() + ") ...");
        ChildProcesses.stop(h.get(), AGGREGATOR_GRACE);
        stopped.add(p.name());
      }
    }
    Map<ClusterFile.Proc, ProcessHandle> leaves = new LinkedHashMap<>();
    for (ClusterFile.Proc p : file.role(ClusterFile.LEAF)) {
      handle(p).ifPresent(h -> leaves.put(p, h));
    }
    if (!leaves.isEmpty()) {
      say(verbose, "Stopping " + leaves.size() + " leaves ...");
      Map<ProcessHandle, CompletableFuture<ProcessHandle>> exits = new LinkedHashMap<>();
      for (ProcessHandle h : leaves.values()) {
        exits.put(h, h.onExit());
        h.destroy();
      }
      long deadline = System.nanoTime() + LEAF_GRACE.toNanos();
      exits.forEach((h, exited) -> ChildProcesses.awaitOrKill(h, exited,
          Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
      leaves.keySet().forEach(p -> stopped.add(p.name()));
    }
    if (!file.role(ClusterFile.KAFKA).isEmpty()) {
      try {
        if (LocalKafkaBroker.runningIn(kafkaDir()).isPresent()) {
          say(verbose, "Stopping Kafka ...");
        }
        if (LocalKafkaBroker.stopRunningIn(kafkaDir(), KAFKA_GRACE)) {
          stopped.add(ClusterFile.KAFKA);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return stopped;
  }

  private void say(boolean verbose, String line) {
    if (verbose) {
      out.println(line);
      out.flush();
    }
  }

  private static String names(List<ClusterFile.Proc> ps) {
    List<String> n = new ArrayList<>();
    for (ClusterFile.Proc p : ps) {
      n.add(p.name() + " pid " + p.pid());
    }
    return String.join(", ", n);
  }
}
