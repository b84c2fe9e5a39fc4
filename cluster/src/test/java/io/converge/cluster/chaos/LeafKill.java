package io.converge.cluster.chaos;

import io.converge.cluster.cli.ClusterFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * kill -9 of a leaf, chosen at random, and its restart with the same command line after up to 4
 * seconds: the restarted leaf must take up its shards from the offsets stored in its data
 * directory (checked in its log: a shard of the collection assigned at an offset above 0), not
 * read its partitions again from the start.
 */
final class LeafKill implements Fault {
  private static final Pattern ASSIGNED = Pattern.compile(
      "assigned (\\S+)#(\\d+) at offset (\\d+)");

  private final String collection;

  LeafKill(String collection) {
    this.collection = collection;
  }

  @Override
  public String kind() {
    return "leaf-kill";
  }

  @Override
  public String inject(ChaosCluster cluster, Random random) throws Exception {
    List<ClusterFile.Proc> leaves = cluster.role(ClusterFile.LEAF);
    ClusterFile.Proc victim = leaves.get(random.nextInt(leaves.size()));
    Duration down = Duration.ofMillis(random.nextInt(4_000));
    Path log = Path.of(victim.log());
    long logBefore = Files.size(log);
    Process again = cluster.killAndRelaunch(victim.name(), down);
    List<Long> offsets = assignedOffsets(log, logBefore, Duration.ofSeconds(60));
    boolean resumed = offsets.stream().anyMatch(o -> o > 0);
    if (!resumed) {
      throw new AssertionError(victim.name() + " did not resume from stored offsets: its shards of"
          + " " + collection + " were assigned at " + offsets + "; see " + log);
    }
    return "kill -9 " + victim.name() + " (pid " + victim.pid() + "), down " + down.toMillis()
        + " ms, relaunched as pid " + again.pid() + ", resumed at offsets " + offsets;
  }

  /** The offsets the relaunched leaf's shards of the collection start from, per its log. */
  private List<Long> assignedOffsets(Path log, long from, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Long> offsets = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      byte[] all = Files.readAllBytes(log);
      String fresh = new String(all, (int) Math.min(from, all.length),
          (int) Math.max(0, all.length - from), StandardCharsets.UTF_8);
      offsets.clear();
      Matcher m = ASSIGNED.matcher(fresh);
      while (m.find()) {
        if (m.group(1).equals(collection)) {
          offsets.add(Long.parseLong(m.group(3)));
        }
      }
      if (!offsets.isEmpty()) {
        return offsets;
      }
      Thread.sleep(200);
    }
    return offsets;
  }
}
