package io.converge.cluster.cli;

import io.converge.server.cli.CliExtension;
import java.util.List;

/** Adds {@code cluster}, {@code leaf}, {@code aggregator} and {@code tailer} to {@code converge}. */
public final class ClusterCliExtension implements CliExtension {
  @Override
  public List<Object> subcommands() {
    return List.of(new ClusterCommand(), new LeafCommand(), new AggregatorCommand(),
        new TailerCommand());
  }

  @Override
  public List<String> servingCommands() {
    return List.of("leaf", "aggregator", "tailer");
  }
}
