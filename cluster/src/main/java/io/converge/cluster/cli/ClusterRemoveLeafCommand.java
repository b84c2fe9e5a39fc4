package io.converge.cluster.cli;

import io.converge.cluster.log.LeafAnnouncement;
import io.converge.server.cli.ConvergeCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code converge cluster remove-leaf}: drains a leaf out of a running cluster. */
@Command(name = "remove-leaf", mixinStandardHelpOptions = true,
    description = {"Remove a leaf from the running cluster of DIR without downtime: it leaves "
        + "its replica group, the group's other leaves take its partitions and build them from "
        + "the log, and it keeps serving each until another leaf serves it; then it stops. Its "
        + "data directory is kept. A later 'cluster start' on DIR does not start it again."})
final class ClusterRemoveLeafCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR",
      description = "The cluster's directory.")
  Path dir;

  @Option(names = "--leaf", paramLabel = "NAME",
      description = "The leaf to remove, as 'cluster status' or cluster.json names it (default: "
          + "the last one added to the replica group with the most leaves).")
  String leaf;

  @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
      description = "How long to wait for the other leaves to serve its partitions (default: "
          + "${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LocalCluster cluster = new LocalCluster(dir, out);
    ClusterFile file = ClusterCommands.running(cluster);
    ClusterFile.Proc target = leaf != null ? file.named(leaf) : lastOfLargestGroup(cluster, file);
    if (target == null || !target.role().equals(ClusterFile.LEAF)) {
      throw new IllegalArgumentException("no leaf named '" + leaf + "' in " + cluster.dir()
          + "; its leaves: " + file.role(ClusterFile.LEAF).stream().map(ClusterFile.Proc::name)
              .toList());
    }
    Optional<ProcessHandle> handle = cluster.process(target);
    if (handle.isEmpty()) {
      throw new IllegalStateException(target.name() + " is not running: start the cluster's "
          + "missing leaves with 'cluster stop' and 'cluster start' first, so that its partitions "
          + "are served while it drains");
    }
    List<String> peers = runningPeers(cluster, file, target);
    if (peers.isEmpty()) {
      throw new IllegalStateException(target.name() + " is the only running leaf of replica "
          + "group " + target.replicaGroup() + ": its partitions would have no leaf of that "
          + "group left to move to");
    }
    Integer httpPort = target.ports().get("metrics");
    if (httpPort == null) {
      throw new IllegalStateException(target.name() + " has no HTTP port in " + ClusterFile.NAME);
    }
    LeafHttp.drain(httpPort);
    out.println("Draining " + target.name() + ": replica group " + target.replicaGroup()
        + "'s other leaves (" + String.join(", ", peers) + ") take its partitions ...");
    out.flush();
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    long nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    ProcessHandle h = handle.get();
    while (h.isAlive()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(target.name() + " still serves partitions the other "
            + "leaves have not taken over after " + timeoutSeconds + " s; it keeps draining (see "
            + target.log() + " and 'cluster status')");
      }
      if (System.nanoTime() > nextReport) {
        LeafAnnouncement a = LeafHttp.announcement(httpPort);
        if (a != null) {
          long left = a.shards().stream().filter(LeafAnnouncement.Shard::handingOff).count();
          out.println("  " + left + " partition" + (left == 1 ? "" : "s")
              + " still served by it until other leaves serve them ...");
          out.flush();
        }
        nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      }
      Thread.sleep(250);
    }
    ClusterFile.read(cluster.dir()).withoutLeaf(target.name()).write(cluster.dir());
    out.println("Removed " + target.name() + "; its data stays in " + target.dataDir()
        + " (delete it when no longer needed).");
    out.flush();
    return ConvergeCli.OK;
  }

  private static List<String> runningPeers(LocalCluster cluster, ClusterFile file,
      ClusterFile.Proc target) throws IOException {
    List<String> out = new ArrayList<>();
    for (ClusterFile.Proc p : file.role(ClusterFile.LEAF)) {
      if (!p.name().equals(target.name()) && target.replicaGroup().equals(p.replicaGroup())
          && cluster.process(p).isPresent()) {
        out.add(p.name());
      }
    }
    return out;
  }

  /** The last listed running leaf of the group with the most running leaves. */
  private static ClusterFile.Proc lastOfLargestGroup(LocalCluster cluster, ClusterFile file)
      throws IOException {
    ClusterFile.Proc best = null;
    int bestCount = 0;
    for (String g : ClusterCommands.groups(file)) {
      ClusterFile.Proc last = null;
      int count = 0;
      for (ClusterFile.Proc p : file.role(ClusterFile.LEAF)) {
        if (g.equals(p.replicaGroup()) && cluster.process(p).isPresent()) {
          last = p;
          count++;
        }
      }
      if (count > bestCount) {
        best = last;
        bestCount = count;
      }
    }
    return best;
  }
}
