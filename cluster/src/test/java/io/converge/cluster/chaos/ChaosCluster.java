package io.converge.cluster.chaos;

import io.converge.cluster.cli.ClusterFile;
import io.converge.cluster.cli.LocalClusterAccess;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.cli.ConvergeCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/**
 * A real cluster for the chaos harness, started as {@code bin/converge cluster start} starts one
 * (every role its own OS process on 127.0.0.1, {@code DIR/cluster.json} listing them): a KRaft
 * broker, one leaf in each of two replica groups, two aggregators, small heaps. Kills processes
 * with SIGKILL and starts them again with their exact command line, keeping
 * {@code cluster.json} up to date so that {@code cluster stop} finds them; {@link #close} stops
 * everything, and kills with SIGKILL whatever is still alive of what it ever saw running.
 */
final class ChaosCluster implements AutoCloseable {
  static final int REPLICA_GROUPS = 2;
  static final int AGGREGATORS = 2;
  private static final Duration EXIT_WAIT = Duration.ofSeconds(30);
  private static final Duration KAFKA_READY = Duration.ofSeconds(90);

  private final Path dir;
  private final int partitions;
  /** Every pid of the cluster seen running, for the last-resort kill. */
  private final Set<Long> pids = new LinkedHashSet<>();

  private ChaosCluster(Path dir, int partitions) {
    this.dir = dir;
    this.partitions = partitions;
  }

  /** Starts the cluster under {@code dir} (a new directory). */
  static ChaosCluster start(Path dir, int partitions) throws IOException {
    ChaosCluster c = new ChaosCluster(dir.toAbsolutePath().normalize(), partitions);
    int port = freePortPair();
    try {
      c.cli("cluster", "start", "--dir", c.dir.toString(), "--leaves", "1", "--replicas",
          String.valueOf(REPLICA_GROUPS), "--aggregators", String.valueOf(AGGREGATORS),
          "--partitions", String.valueOf(partitions), "--port", String.valueOf(port),
          "--no-auth", "--leaf-heap", "384m", "--aggregator-heap", "384m", "--kafka-heap", "384m",
          "--timeout", "180");
    } finally {
      c.rememberPids();
    }
    return c;
  }

  Path dir() {
    return dir;
  }

  int partitions() {
    return partitions;
  }

  ClusterFile file() throws IOException {
    ClusterFile f = ClusterFile.read(dir);
    if (f == null) {
      throw new IllegalStateException(dir + " holds no " + ClusterFile.NAME);
    }
    return f;
  }

  /** The aggregators' HTTP base URLs, in the order of the failover URL. */
  List<String> apiUrls() throws IOException {
    ClusterFile f = file();
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < AGGREGATORS; i++) {
      urls.add("http://127.0.0.1:" + LocalClusterAccess.aggregatorPort(f, i));
    }
    return urls;
  }

  /**
   * A URL of Converge's driver naming every aggregator, as {@code cluster start} prints it, but
   * starting with aggregator {@code first} (so that clients spread over the aggregators).
   */
  String failoverJdbcUrl(int first) throws IOException {
    List<String> apis = apiUrls();
    List<String> order = new ArrayList<>();
    for (int i = 0; i < apis.size(); i++) {
      order.add(apis.get((first + i) % apis.size()));
    }
    return "jdbc:converge:remote:url=" + String.join(",", order) + ";serialization=protobuf";
  }

  /** The processes of a role, as the cluster file lists them. */
  List<ClusterFile.Proc> role(String role) throws IOException {
    return file().processes().stream().filter(p -> p.role().equals(role)).toList();
  }

  /** The leaves' data directories. */
  List<Path> leafDirs() throws IOException {
    return role(ClusterFile.LEAF).stream().map(p -> Path.of(p.dataDir())).toList();
  }

  /**
   * kill -9 of the process {@code name} (a leaf or an aggregator), a pause of {@code down}, then
   * the same command line again.
   *
   * @return the new process
   */
  Process killAndRelaunch(String name, Duration down) throws IOException, InterruptedException {
    ClusterFile.Proc p = file().processes().stream().filter(q -> q.name().equals(name))
        .findFirst().orElseThrow(() -> new IllegalArgumentException("no process " + name));
    ProcessHandle h = ProcessHandle.of(p.pid()).filter(ProcessHandle::isAlive)
        .orElseThrow(() -> new IllegalStateException(name + " (pid " + p.pid() + ") is not running"));
    ProcessCommandLine command = ProcessCommandLine.of(p.pid());
    kill(h);
    Thread.sleep(down.toMillis());
    Process again = command.start(Path.of(p.log()));
    pids.add(again.pid());
    LocalClusterAccess.recordPid(dir, name, again.pid());
    return again;
  }

  /**
   * Stops the broker (gracefully, or with kill -9), waits {@code down}, and starts it again on the
   * same directory and ports with the same JVM options; returns once it answers.
   */
  void restartKafka(boolean graceful, Duration down) throws IOException, InterruptedException {
    Path kafkaDir = dir.resolve("kafka");
    ProcessHandle h = LocalKafkaBroker.runningIn(kafkaDir)
        .orElseThrow(() -> new IllegalStateException("no broker runs in " + kafkaDir));
    ProcessCommandLine command = ProcessCommandLine.of(h.pid());
    if (graceful) {
      LocalKafkaBroker.stopRunningIn(kafkaDir, EXIT_WAIT);
    } else {
      kill(h);
    }
    Thread.sleep(down.toMillis());
    // the options of the first start: the JVM options between the marker and -cp, the class path
    int marker = 1;
    LocalKafkaBroker broker = LocalKafkaBroker.start(kafkaDir, LocalKafkaBroker.Options.defaults()
        .detached(true).readyTimeout(KAFKA_READY)
        .jvmOptions(command.between(marker, "-cp"))
        .classPath(command.valueOf("-cp")));
    pids.add(broker.pid());
    LocalClusterAccess.recordPid(dir, ClusterFile.KAFKA, broker.pid());
  }

  private static void kill(ProcessHandle h) throws InterruptedException {
    h.destroyForcibly();
    try {
      h.onExit().get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("pid " + h.pid() + " did not die of SIGKILL", e);
    }
  }

  /**
   * {@code cluster stop} (each process asked to stop, killed after a bound), leaving the data for
   * {@code converge check}; returns what the command printed.
   */
  String stop() throws IOException {
    rememberPids();
    return cli("cluster", "stop", "--dir", dir.toString());
  }

  /**
   * Copies every process's log (the broker's too) to {@code target}, replacing what a run of the
   * same name left there: the evidence of a finding outlives the temporary directory.
   */
  void keepLogs(Path target) {
    try {
      Files.createDirectories(target);
      try (var logs = Files.list(dir.resolve("logs"))) {
        for (Path log : logs.toList()) {
          Files.copy(log, target.resolve(log.getFileName()),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.writeString(target.resolve(ClusterFile.NAME), Files.readString(ClusterFile.path(dir)));
    } catch (IOException e) {
      System.err.println("chaos: cannot keep the logs in " + target + ": " + e);
    }
  }

  /** Stops the cluster, then kills with SIGKILL whatever of it is still alive. */
  @Override
  public void close() {
    try {
      stop();
    } catch (IOException | RuntimeException | AssertionError e) {
      System.err.println("chaos: cluster stop failed, killing what is left: " + e);
    }
    for (long pid : pids) {
      Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
      h.ifPresent(p -> {
        System.err.println("chaos: kill -9 " + pid + " (still running after cluster stop)");
        p.destroyForcibly();
      });
    }
  }

  /** Notes the pids the cluster file lists now (a leaf added by the CLI, say). */
  void rememberPids() {
    try {
      if (Files.isRegularFile(ClusterFile.path(dir))) {
        for (ClusterFile.Proc p : file().processes()) {
          pids.add(p.pid());
        }
      }
      LocalKafkaBroker.runningIn(dir.resolve("kafka")).ifPresent(h -> pids.add(h.pid()));
    } catch (IOException e) {
      System.err.println("chaos: cannot read " + dir + "'s processes: " + e);
    }
  }

  /** Runs a {@code converge} command in this JVM; fails unless it exits 0. */
  String cli(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cmd = ConvergeCli.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(out, true));
    int exit = cmd.execute(args);
    if (exit != ConvergeCli.OK) {
      throw new AssertionError("converge " + String.join(" ", args) + " exited " + exit + ":\n"
          + out);
    }
    return out.toString();
  }

  /** A free port whose successor is free too (the second aggregator takes it). */
  private static int freePortPair() throws IOException {
    for (int tries = 0; tries < 50; tries++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      if (port < 65535) {
        try (ServerSocket next = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
          return port;
        } catch (IOException taken) {
          // try another pair
        }
      }
    }
    throw new IOException("no two consecutive free ports on 127.0.0.1");
  }
}
