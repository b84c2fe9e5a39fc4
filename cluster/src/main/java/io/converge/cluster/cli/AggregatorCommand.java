package io.converge.cluster.cli;

import io.converge.cluster.aggregator.AggregatorNode;
import io.converge.cluster.aggregator.AggregatorOptions;
import io.converge.cluster.log.ClusterTopics;
import io.converge.server.ServerOptions;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.cli.AuthOptions;
import io.converge.server.cli.ConvergeCli;
import io.converge.server.cli.DocumentLimitOptions;
import io.converge.server.cli.QueryLimitOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge aggregator}: one aggregator in the foreground until SIGTERM. */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
    description = {"Run an aggregator: an Avatica (JDBC) and HTTP server like 'server', whose "
        + "collections live in the cluster at --kafka; queries are planned here and run by the "
        + "leaves, writes go to Kafka. Stateless: run as many as you like. Runs until stopped."})
final class AggregatorCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--kafka", required = true, paramLabel = "BOOTSTRAP",
      description = "The cluster's Kafka bootstrap servers.")
  String kafka;

  @Option(names = "--host", defaultValue = ServerOptions.DEFAULT_HOST, paramLabel = "HOST",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for all interfaces).")
  String host;

  @Option(names = "--port", defaultValue = "8765", paramLabel = "PORT",
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free port).")
  int port;

  @Option(names = "--partitions", defaultValue = "" + ClusterTopics.DEFAULT_PARTITIONS,
      paramLabel = "N",
      description = "Partitions (shards) of a collection created here (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--serialization", defaultValue = ServerOptions.PROTOBUF,
      paramLabel = "protobuf|json",
      description = "Avatica wire format (default: ${DEFAULT-VALUE}).")
  String serialization;

  @Mixin
  AuthOptions auth = new AuthOptions();

  @Mixin
  DocumentLimitOptions documentLimits = new DocumentLimitOptions();

  @Mixin
  QueryLimitOptions queryLimits = new QueryLimitOptions();

  @Override
  public Integer call() throws Exception {
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
    }
    ServerSecurity security = auth.security();
    LeafCommand.quietKafkaClients();
    // an aggregator keeps no data: the server options' data directory is not used
    ServerOptions server = new ServerOptions(Path.of("."), host, port, serialization)
        .withDocumentLimits(documentLimits.limits())
        .withQueryLimits(queryLimits.limits());
    AggregatorNode node = AggregatorNode.startOnKafka(new AggregatorOptions(kafka, server,
        partitions), security);
    printConnectionHelp(spec.commandLine().getOut(), node, security);
    Foreground.run(node::close, node::join);
    return ConvergeCli.OK;
  }

  private void printConnectionHelp(PrintWriter out, AggregatorNode node,
      ServerSecurity security) {
    String http = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    out.println("Converge aggregator of the cluster at " + kafka + " on " + host + ":" + port);
    out.println();
    out.println("  JDBC URL:  " + node.jdbcUrl());
    out.println("  Driver:    org.apache.calcite.avatica.remote.Driver"
        + " (jars for DBeaver and other tools: avatica-server/target/driver/)");
    out.println("  sqlline:   bin/converge sql --url '" + node.jdbcUrl() + "'");
    if (security.enabled()) {
      out.println("  Auth:      HTTP BASIC, users from " + security.users().file()
          + "; JDBC clients add ;authentication=BASIC;avatica_user=NAME;avatica_password=...");
    } else {
      out.println("  Auth:      none (anyone who reaches " + host + ":" + port
          + " may read and write)");
    }
    out.println("  Status:    bin/converge cluster status --url " + http);
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
  }
}
