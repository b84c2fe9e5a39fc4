package io.converge.cluster.cli;

import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.tailer.ClusterTailer;
import io.converge.cluster.tailer.ClusterTailers;
import io.converge.server.cli.ConvergeCli;
import io.converge.server.metrics.MetricsHttpServer;
import io.converge.server.tailer.TailSpec;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge tailer}: tailers of external topics into the cluster, until SIGTERM. */
@Command(name = "tailer", mixinStandardHelpOptions = true,
    description = {"Tail external Kafka topics into collections of the cluster at --kafka: each "
        + "record re-keyed by _id into the collection's topic, exactly once (Kafka transactions). "
        + "Runs until stopped; a restarted tailer resumes where the last one committed."})
final class TailerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--kafka", required = true, paramLabel = "BOOTSTRAP",
      description = "The cluster's Kafka bootstrap servers (the tailed topics are read there too).")
  String kafka;

  @Option(names = "--tail", required = true, paramLabel = "TOPIC:COLLECTION",
      description = "A Kafka topic and the collection it is written into (created when missing). "
          + "Repeatable.")
  List<String> tails;

  @Option(names = "--partitions", defaultValue = "" + ClusterTopics.DEFAULT_PARTITIONS,
      paramLabel = "N",
      description = "Partitions (shards) of a collection created here (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
      description = "Address the metrics port binds to (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--http-port", defaultValue = "0", paramLabel = "PORT",
      description = "Port of GET /metrics (Prometheus text format, no authentication) "
          + "(default: ${DEFAULT-VALUE} = a free port, printed at start; -1 = none).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException("--http-port must be between -1 and 65535, got "
          + httpPort);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
    }
    List<TailSpec> specs = ClusterTailers.parse(tails);
    LeafCommand.quietKafkaClients();
    CatalogLog catalog = CatalogLog.open(kafka);
    ClusterTailers tailers;
    try {
      tailers = ClusterTailers.start(kafka, catalog, specs, partitions);
    } catch (RuntimeException | InterruptedException e) {
      catalog.close();
      throw e;
    }
    MetricsHttpServer metrics;
    try {
      metrics = httpPort < 0 ? null : MetricsHttpServer.start(host, httpPort);
    } catch (RuntimeException e) {
      tailers.close();
      catalog.close();
      throw e;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (metrics != null) {
      out.println("Metrics at http://" + host + ":" + metrics.port() + "/metrics");
    }
    for (ClusterTailer t : tailers.tailers()) {
      out.println("Tailing Kafka topic " + t.spec().topic() + " into collection "
          + t.spec().collection() + " of the cluster at " + kafka + " (exactly once).");
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
    Foreground.run(() -> {
      tailers.close();
      catalog.close();
      if (metrics != null) {
        metrics.close();
      }
    }, tailers::join);
    return tailers.anyFailed() ? ConvergeCli.FAILED : ConvergeCli.OK;
  }
}
