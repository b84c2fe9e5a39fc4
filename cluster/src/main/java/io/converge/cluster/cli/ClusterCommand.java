package io.converge.cluster.cli;

import io.converge.server.cli.ConvergeCli;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code converge cluster}: a local cluster of separate processes, and a cluster's status. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = {"A cluster on this machine: a Kafka broker, leaves and an aggregator, each its "
        + "own process on 127.0.0.1 (start, stop, demo, add-leaf, remove-leaf), and any cluster's "
        + "status."},
    subcommands = {ClusterStartCommand.class, ClusterStopCommand.class, ClusterDemoCommand.class,
        ClusterStatusCommand.class, ClusterAddLeafCommand.class, ClusterRemoveLeafCommand.class,
        CommandLine.HelpCommand.class})
final class ClusterCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ConvergeCli.FAILED;
  }
}
