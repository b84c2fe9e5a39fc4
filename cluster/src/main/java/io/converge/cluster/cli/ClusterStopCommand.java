package io.converge.cluster.cli;

import io.converge.server.cli.ConvergeCli;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge cluster stop}: stops what {@code cluster start} started in a directory. */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = {"Stop the cluster of DIR: the aggregator, then the leaves, then the broker "
        + "(each asked to stop, killed after a bound). Processes already gone are skipped. The "
        + "data stays for the next 'cluster start --dir DIR'."})
final class ClusterStopCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR",
      description = "The cluster's directory.")
  Path dir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LocalCluster cluster = new LocalCluster(dir, out);
    ClusterFile file = ClusterFile.read(cluster.dir());
    if (file == null) {
      throw new IllegalArgumentException(cluster.dir() + " holds no " + ClusterFile.NAME
          + " (not a cluster started with 'cluster start')");
    }
    List<String> stopped = cluster.stop(file, true);
    List<ClusterFile.Proc> left = cluster.running(file);
    if (!left.isEmpty()) {
      throw new IllegalStateException("still running after stop: " + left);
    }
    out.println(stopped.isEmpty() ? "Nothing was running in " + cluster.dir()
        : "Stopped " + String.join(", ", stopped) + ".");
    out.flush();
    return ConvergeCli.OK;
  }
}
