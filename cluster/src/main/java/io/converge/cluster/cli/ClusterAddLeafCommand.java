package io.converge.cluster.cli;

import io.converge.cluster.log.LeafAnnouncement;
import io.converge.server.cli.ConvergeCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code converge cluster add-leaf}: one more leaf in a running cluster, without downtime. */
@Command(name = "add-leaf", mixinStandardHelpOptions = true,
    description = {"Add a leaf to the running cluster of DIR: it joins a replica group, Kafka "
        + "moves some of the group's partitions to it, it builds them from the log, and their old "
        + "owners keep serving them until it serves them. Returns once it serves its partitions "
        + "and no leaf of the group is still handing one over. A later 'cluster start' on DIR "
        + "starts it again."})
final class ClusterAddLeafCommand implements Callable<Integer> {
  /** How long a leaf with nothing assigned waits for a rebalance to give it something. */
  static final Duration NOTHING_ASSIGNED_GRACE = Duration.ofSeconds(20);

  @Spec
  CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR",
      description = "The cluster's directory.")
  Path dir;

  @Option(names = "--replica-group", paramLabel = "G",
      description = "The replica group to join (default: the one with the fewest leaves).")
  String group;

  @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
      description = "How long to wait for the leaf to serve (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LocalCluster cluster = new LocalCluster(dir, out);
    ClusterFile file = ClusterCommands.running(cluster);
    String g = group != null ? group : fewestLeaves(file);
    if (!ClusterCommands.groups(file).contains(g)) {
      throw new IllegalArgumentException("replica group '" + g + "' is not one of this cluster's "
          + ClusterCommands.groups(file) + "; the cluster was started with --replicas "
          + file.options().replicas());
    }
    String name = nextName(file, g);
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    LocalCluster.Launched l = cluster.launchLeaf(file, file.options(), name, g);
    out.println("Started " + name + " (pid " + l.proc().pid() + ") in replica group " + g
        + "; waiting for it to serve ...");
    out.flush();
    cluster.awaitLeaf(l, deadline);
    LeafAnnouncement joined = awaitServing(cluster, l, deadline, out);
    List<String> parts = new ArrayList<>();
    for (LeafAnnouncement.Shard s : joined.shards()) {
      if (s.assigned()) {
        parts.add(s.collection() + ":" + s.partition());
      }
    }
    out.println(name + " serves " + parts.size() + " partition" + (parts.size() == 1 ? "" : "s")
        + (parts.isEmpty() ? " (its group has no partition to spare)" : ": "
            + String.join(", ", parts)));
    out.flush();
    return ConvergeCli.OK;
  }

  /**
   * Waits until the new leaf serves every partition it was given and no other leaf of its group
   * still hands one over; a leaf given nothing is done after {@link #NOTHING_ASSIGNED_GRACE}.
   */
  private static LeafAnnouncement awaitServing(LocalCluster cluster, LocalCluster.Launched l,
      long deadline, PrintWriter out) throws InterruptedException, IOException {
    long started = System.nanoTime();
    long nextReport = started + Duration.ofSeconds(10).toNanos();
    String group = l.proc().replicaGroup();
    while (true) {
      if (!l.process().isAlive()) {
        throw new IllegalStateException(l.proc().name() + " exited (status "
            + l.process().exitValue() + "); the end of " + l.proc().log() + ":\n"
            + ChildProcesses.tail(Path.of(l.proc().log()), 3_000));
      }
      LeafAnnouncement a = LeafHttp.announcement(l.proc().ports().get("metrics"));
      if (a != null) {
        int assigned = 0;
        int catchingUp = 0;
        for (LeafAnnouncement.Shard s : a.shards()) {
          assigned += s.assigned() ? 1 : 0;
          catchingUp += s.assigned() && s.catchingUp() ? 1 : 0;
        }
        int handingOff = handingOff(cluster, l.file(), group, l.proc().name());
        boolean settled = catchingUp == 0 && handingOff == 0;
        if (settled && (assigned > 0
            || System.nanoTime() - started > NOTHING_ASSIGNED_GRACE.toNanos())) {
          return a;
        }
        if (System.nanoTime() > nextReport) {
          out.println("  " + assigned + " partitions assigned, " + catchingUp + " catching up, "
              + handingOff + " still served by other leaves until it serves them ...");
          out.flush();
          nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(l.proc().name() + " did not serve its partitions in time; "
            + "it keeps joining in the background (see " + l.proc().log() + " and 'cluster "
            + "status')");
      }
      Thread.sleep(500);
    }
  }

  /** Partitions the other running leaves of {@code group} are still handing over. */
  private static int handingOff(LocalCluster cluster, ClusterFile file, String group,
      String except) throws InterruptedException, IOException {
    int n = 0;
    for (ClusterFile.Proc p : file.role(ClusterFile.LEAF)) {
      if (p.name().equals(except) || !group.equals(p.replicaGroup())
          || p.ports().get("metrics") == null || cluster.process(p).isEmpty()) {
        continue;
      }
      LeafAnnouncement a = LeafHttp.announcement(p.ports().get("metrics"));
      if (a != null) {
        n += (int) a.shards().stream().filter(LeafAnnouncement.Shard::handingOff).count();
      }
    }
    return n;
  }

  /** The group with the fewest leaves listed, the first of them on a tie. */
  static String fewestLeaves(ClusterFile file) {
    Map<String, Integer> count = new HashMap<>();
    for (String g : ClusterCommands.groups(file)) {
      count.put(g, 0);
    }
    for (ClusterFile.Proc p : file.role(ClusterFile.LEAF)) {
      count.merge(p.replicaGroup(), 1, Integer::sum);
    }
    String best = null;
    for (String g : ClusterCommands.groups(file)) {
      if (best == null || count.get(g) < count.get(best)) {
        best = g;
      }
    }
    return best;
  }

  /** The first {@code leaf-G-n} that no leaf has had (removed names are not reused). */
  static String nextName(ClusterFile file, String group) {
    for (int n = 0; ; n++) {
      String name = LocalCluster.leafName(group, n);
      if (file.named(name) == null && !file.removedLeaves().contains(name)) {
        return name;
      }
    }
  }
}
