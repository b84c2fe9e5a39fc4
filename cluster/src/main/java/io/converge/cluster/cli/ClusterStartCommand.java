package io.converge.cluster.cli;

import io.converge.server.cli.ConvergeCli;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge cluster start}: a broker, leaves and an aggregator as processes on loopback. */
@Command(name = "start", mixinStandardHelpOptions = true,
    description = {"Start a cluster on this machine, each role its own process on 127.0.0.1: a "
        + "Kafka broker in KRaft mode under DIR/kafka (unless --kafka), --leaves x --replicas "
        + "leaves, one aggregator on --port (--aggregators N: N of them, on consecutive ports). "
        + "Returns once the aggregators answer; "
        + "DIR/cluster.json lists every process.",
        "On a DIR that holds a stopped cluster, resumes it with its data and options (--port, "
            + "--aggregators, --users/--no-auth and the heaps may be given anew)."})
final class ClusterStartCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR",
      description = "The cluster's directory (created if missing).")
  Path dir;

  @Option(names = "--leaves", paramLabel = "N", description = "Leaves per replica group (default: 3).")
  Integer leaves;

  @Option(names = "--replicas", paramLabel = "R",
      description = "Replica groups: copies of every shard (default: 1).")
  Integer replicas;

  @Option(names = "--partitions", paramLabel = "P",
      description = "Partitions (shards) of a new collection (default: 16).")
  Integer partitions;

  @Option(names = "--port", paramLabel = "PORT",
      description = "The aggregator's Avatica/HTTP port (default: 8765).")
  Integer port;

  @Option(names = "--aggregators", paramLabel = "N",
      description = "Aggregator processes, on --port and the ports after it (default: 1). "
          + "Each serves the whole cluster; Converge's driver fails over between them.")
  Integer aggregators;

  @Option(names = "--users", paramLabel = "FILE",
      description = "Users file of the aggregator (see 'converge user add'). Required unless "
          + "--no-auth.")
  Path users;

  @Option(names = "--no-auth", description = "The aggregator serves without authentication.")
  boolean noAuth;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP",
      description = "Use this Kafka instead of starting a broker under DIR/kafka.")
  String kafka;

  @Option(names = "--leaf-heap", paramLabel = "SIZE",
      description = "A leaf's heap, e.g. 1g (default: by the machine's memory).")
  String leafHeap;

  @Option(names = "--aggregator-heap", paramLabel = "SIZE",
      description = "The aggregator's heap (default: by the machine's memory).")
  String aggregatorHeap;

  @Option(names = "--kafka-heap", paramLabel = "SIZE",
      description = "The local broker's heap (default: by the machine's memory).")
  String kafkaHeap;

  @Option(names = "--timeout", defaultValue = "240", paramLabel = "SECONDS",
      description = "How long to wait for the processes to come up (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LocalCluster cluster = new LocalCluster(dir, out);
    ClusterFile previous = ClusterFile.read(cluster.dir());
    ClusterSettings s = settings(previous, new Overrides(leaves, replicas, partitions, port,
        users, noAuth, kafka, leafHeap, aggregatorHeap, kafkaHeap, aggregators), 3);
    if (previous != null) {
      out.println("Resuming the cluster in " + cluster.dir());
    }
    ClusterFile file = cluster.start(s, previous, Duration.ofSeconds(timeoutSeconds));
    printConnectionHelp(out, cluster, file, null);
    return ConvergeCli.OK;
  }

  /** The options given on the command line; null = not given. */
  record Overrides(Integer leaves, Integer replicas, Integer partitions, Integer port, Path users,
      boolean noAuth, String kafka, String leafHeap, String aggregatorHeap, String kafkaHeap,
      Integer aggregators) {

    Overrides(Integer leaves, Integer replicas, Integer partitions, Integer port, Path users,
        boolean noAuth, String kafka, String leafHeap, String aggregatorHeap, String kafkaHeap) {
      this(leaves, replicas, partitions, port, users, noAuth, kafka, leafHeap, aggregatorHeap,
          kafkaHeap, null);
    }
  }

  /**
   * The settings of a new cluster (defaults for what is not given) or of a resumed one (as
   * recorded; port, authentication, partitions and heaps may be given anew, the shape and the
   * Kafka may not).
   */
  static ClusterSettings settings(ClusterFile previous, Overrides o, int defaultLeaves)
      throws java.io.IOException {
    String usersFile = null;
    if (o.users() != null) {
      if (!Files.isReadable(o.users())) {
        throw new IllegalArgumentException("--users " + o.users() + ": not a readable file");
      }
      usersFile = o.users().toAbsolutePath().normalize().toString();
    }
    boolean authGiven = usersFile != null || o.noAuth();
    if (previous == null || previous.options() == null) {
      return new ClusterSettings(or(o.leaves(), defaultLeaves), or(o.replicas(), 1),
          or(o.partitions(), 16), or(o.port(), 8765), usersFile, o.noAuth(), o.kafka(),
          or(o.leafHeap(), JvmFlags.defaultLeafHeap()),
          or(o.aggregatorHeap(), JvmFlags.defaultAggregatorHeap()),
          or(o.kafkaHeap(), JvmFlags.defaultKafkaHeap()), or(o.aggregators(), 1));
    }
    ClusterSettings p = previous.options();
    if (o.leaves() != null && o.leaves() != p.leaves()
        || o.replicas() != null && o.replicas() != p.replicas()) {
      throw new IllegalArgumentException("this directory holds a cluster of " + p.leaves()
          + " leaves x " + p.replicas() + " replica groups; its shape cannot change on resume");
    }
    if (o.kafka() != null && !o.kafka().equals(p.kafka())) {
      throw new IllegalArgumentException("this directory's cluster uses "
          + (p.kafka() == null ? "its own broker under DIR/kafka" : "Kafka at " + p.kafka())
          + "; --kafka cannot change on resume");
    }
    return new ClusterSettings(p.leaves(), p.replicas(), or(o.partitions(), p.partitions()),
        or(o.port(), p.port()), authGiven ? usersFile : p.users(),
        authGiven ? o.noAuth() : p.noAuth(), p.kafka(), or(o.leafHeap(), p.leafHeap()),
        or(o.aggregatorHeap(), p.aggregatorHeap()), or(o.kafkaHeap(), p.kafkaHeap()),
        or(o.aggregators(), p.aggregators()));
  }

  private static <T> T or(T given, T fallback) {
    return given != null ? given : fallback;
  }

  /** What {@code server} prints, for the aggregator, plus how to see and stop the cluster. */
  static void printConnectionHelp(PrintWriter out, LocalCluster cluster, ClusterFile file,
      String hint) {
    ClusterSettings s = file.options();
    out.println();
    out.println("Converge cluster in " + cluster.dir() + ": Kafka at " + file.bootstrap() + ", "
        + s.leaves() * s.replicas() + " leaves, " + (s.aggregators() == 1 ? "aggregator on "
        + "127.0.0.1:" + s.port() : s.aggregators() + " aggregators on 127.0.0.1:" + s.port()
        + "-" + s.aggregatorPort(s.aggregators() - 1)));
    out.println();
    out.println("  JDBC URL:  " + file.jdbcUrl());
    if (s.aggregators() > 1) {
      out.println("  Failover:  " + LocalCluster.failoverUrl(s)
          + " (Converge's driver: connects to the first aggregator that answers)");
    }
    out.println("  Driver:    org.apache.calcite.avatica.remote.Driver"
        + " (jars for DBeaver and other tools: avatica-server/target/driver/)");
    out.println("  sqlline:   bin/converge sql --url '" + file.jdbcUrl() + "'");
    if (s.noAuth()) {
      out.println("  Auth:      none (anyone who reaches 127.0.0.1:" + s.port()
          + " may read and write)");
    } else {
      out.println("  Auth:      HTTP BASIC, users from " + s.users()
          + "; JDBC clients add ;authentication=BASIC;avatica_user=NAME;avatica_password=...");
    }
    out.println("  Status:    bin/converge cluster status --url http://127.0.0.1:" + s.port());
    out.println("  Logs:      " + cluster.dir().resolve("logs"));
    out.println("  Stop:      bin/converge cluster stop --dir " + cluster.dir());
    out.println();
    if (hint != null) {
      out.println(hint);
    }
    out.flush();
  }
}
