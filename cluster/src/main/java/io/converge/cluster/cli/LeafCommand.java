package io.converge.cluster.cli;

import io.converge.cluster.leaf.LeafNode;
import io.converge.cluster.leaf.LeafOptions;
import io.converge.server.cli.ConvergeCli;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge leaf}: one leaf in the foreground until SIGTERM. */
@Command(name = "leaf", mixinStandardHelpOptions = true,
    description = {"Run a leaf: it joins its replica group's consumer group, applies its "
        + "partitions of every collection into RocksDB under --data-dir, and answers query "
        + "fragments over Arrow Flight on --host:--port. Runs until stopped (SIGTERM, Ctrl-C)."})
final class LeafCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--kafka", required = true, paramLabel = "BOOTSTRAP",
      description = "The cluster's Kafka bootstrap servers.")
  String kafka;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "The leaf's data directory (created if missing; keeps its id).")
  Path dataDir;

  @Option(names = "--replica-group", required = true, paramLabel = "G",
      description = "Replica group: the leaves of a group split the partitions between them.")
  String replicaGroup;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
      description = "Address to bind and announce to aggregators (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
      description = "Arrow Flight port (default: ${DEFAULT-VALUE} = a free port).")
  int port;

  @Option(names = "--http-port", defaultValue = "0", paramLabel = "PORT",
      description = "Port of GET /metrics (Prometheus text format, no authentication), bound to "
          + "--host (default: ${DEFAULT-VALUE} = a free port, printed at start; -1 = none).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
    }
    if (httpPort < LeafOptions.NO_HTTP || httpPort > 65535) {
      throw new IllegalArgumentException("--http-port must be between -1 and 65535, got "
          + httpPort);
    }
    quietKafkaClients();
    Files.createDirectories(dataDir);
    LeafNode node = LeafNode.startServingFlight(new LeafOptions(kafka, dataDir.toAbsolutePath().normalize(),
        replicaGroup, host, port, httpPort));
    PrintWriter out = spec.commandLine().getOut();
    out.println("Converge leaf of replica group " + replicaGroup + " serving "
        + dataDir.toAbsolutePath().normalize() + " (Kafka at " + kafka + ")");
    if (node.metricsPort() != LeafOptions.NO_HTTP) {
      out.println("Metrics at http://" + host + ":" + node.metricsPort() + "/metrics");
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
    Foreground.run(node::close, node::awaitStopped);
    return ConvergeCli.OK;
  }

  /** Kafka's clients log every config value and reconnect at info; the roles log their own. */
  static void quietKafkaClients() {
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    }
  }
}
