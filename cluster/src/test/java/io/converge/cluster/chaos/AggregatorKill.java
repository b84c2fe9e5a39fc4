package io.converge.cluster.chaos;

import io.converge.cluster.cli.ClusterFile;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * kill -9 of an aggregator, chosen at random, and its restart with the same command line after
 * up to 4 seconds. Meanwhile its clients fail over: writers to the other aggregator's HTTP API,
 * readers' connections (broken, SQL state 08006) to the next server of the failover URL.
 */
final class AggregatorKill implements Fault {
  @Override
  public String kind() {
    return "aggregator-kill";
  }

  @Override
  public String inject(ChaosCluster cluster, Random random) throws Exception {
    List<ClusterFile.Proc> aggregators = cluster.role(ClusterFile.AGGREGATOR);
    ClusterFile.Proc victim = aggregators.get(random.nextInt(aggregators.size()));
    Duration down = Duration.ofMillis(random.nextInt(4_000));
    Process again = cluster.killAndRelaunch(victim.name(), down);
    return "kill -9 " + victim.name() + " (pid " + victim.pid() + "), down " + down.toMillis()
        + " ms, relaunched as pid " + again.pid();
  }
}
