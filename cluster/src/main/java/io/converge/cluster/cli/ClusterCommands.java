package io.converge.cluster.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** What the commands that change a running local cluster check first. */
final class ClusterCommands {
  private ClusterCommands() {}

  /**
   * The cluster file of a running cluster.
   *
   * @throws IllegalArgumentException when the directory holds no cluster
   * @throws IllegalStateException when its broker or aggregators do not run
   */
  static ClusterFile running(LocalCluster cluster) throws IOException {
    ClusterFile file = ClusterFile.read(cluster.dir());
    if (file == null) {
      throw new IllegalArgumentException(cluster.dir() + " holds no " + ClusterFile.NAME
          + " (not a cluster started with 'cluster start')");
    }
    List<String> running = cluster.running(file).stream().map(ClusterFile.Proc::role).toList();
    boolean ownBroker = !file.role(ClusterFile.KAFKA).isEmpty();
    if ((ownBroker && !running.contains(ClusterFile.KAFKA))
        || !running.contains(ClusterFile.AGGREGATOR)) {
      throw new IllegalStateException("the cluster in " + cluster.dir() + " is not running; "
          + "start it first with: bin/converge cluster start --dir " + cluster.dir());
    }
    return file;
  }

  /** The cluster's replica groups: g0 .. g(R-1). */
  static List<String> groups(ClusterFile file) {
    List<String> out = new ArrayList<>();
    for (int g = 0; g < file.options().replicas(); g++) {
      out.add(ClusterSettings.group(g));
    }
    return out;
  }
}
