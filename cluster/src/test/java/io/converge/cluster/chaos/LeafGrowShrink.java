package io.converge.cluster.chaos;

import io.converge.cluster.cli.ClusterFile;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A change of membership under load: while every replica group has one leaf,
 * {@code cluster add-leaf} adds one to a group chosen at random (it returns once the new leaf
 * serves what its group handed it); once a group has two, {@code cluster remove-leaf} drains one
 * (the last added; it returns once its partitions are served elsewhere). Partitions move between
 * the leaves of a group while the clients write and read.
 */
final class LeafGrowShrink implements Fault {
  private static final String TIMEOUT_SECONDS = "240";

  @Override
  public String kind() {
    return "leaf-add-remove";
  }

  @Override
  public String inject(ChaosCluster cluster, Random random) throws Exception {
    Map<String, Integer> perGroup = new TreeMap<>();
    List<ClusterFile.Proc> leaves = cluster.role(ClusterFile.LEAF);
    for (ClusterFile.Proc p : leaves) {
      perGroup.merge(p.replicaGroup(), 1, Integer::sum);
    }
    boolean grow = perGroup.values().stream().allMatch(n -> n <= 1);
    long start = System.nanoTime();
    String out;
    if (grow) {
      String group = "g" + random.nextInt(ChaosCluster.REPLICA_GROUPS);
      out = cluster.cli("cluster", "add-leaf", "--dir", cluster.dir().toString(),
          "--replica-group", group, "--timeout", TIMEOUT_SECONDS);
    } else {
      out = cluster.cli("cluster", "remove-leaf", "--dir", cluster.dir().toString(), "--timeout",
          TIMEOUT_SECONDS);
    }
    cluster.rememberPids();
    String said = out.strip().replace('\n', ' ');
    return (grow ? "add-leaf" : "remove-leaf") + " in " + (System.nanoTime() - start) / 1_000_000
        + " ms: " + (said.length() <= 200 ? said : said.substring(0, 200) + "...");
  }
}
