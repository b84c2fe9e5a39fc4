package io.converge.cluster.chaos;

import java.time.Duration;

/**
 * The knobs of a chaos run. The seed decides every choice the harness makes (which fault, which
 * process, how long it stays down, each client's operations and ids); the timing of the processes
 * does not follow it, so two runs of one seed inject the same faults but interleave differently.
 *
 * @param seed the run's seed ({@code -Dconverge.chaos.seed}, default: the time)
 * @param faults faults to inject ({@code -Dconverge.chaos.faults}, default: one of each kind)
 * @param clients client threads, each writing its own ids and reading
 * @param idsPerClient the ids a client writes, {@code c<client>-<n>}
 * @param baseDocs documents written before the clients start and never touched again
 * @param partitions partitions of the collection
 * @param pauseBetweenFaults how long the clients run with the cluster whole between two faults
 * @param recoveryTimeout how long a fault may take to heal before the run fails
 * @param clientPause the longest pause of a client between two operations
 */
record ChaosSettings(long seed, int faults, int clients, int idsPerClient, int baseDocs,
    int partitions, Duration pauseBetweenFaults, Duration recoveryTimeout, Duration clientPause) {

  static final String SEED_PROPERTY = "converge.chaos.seed";
  static final String FAULTS_PROPERTY = "converge.chaos.faults";

  /** The settings of this JVM's system properties (the CI run without any). */
  static ChaosSettings fromSystemProperties() {
    long seed = Long.getLong(SEED_PROPERTY, System.currentTimeMillis() % 100_000);
    int faults = Integer.getInteger(FAULTS_PROPERTY, FaultPlan.KINDS.size());
    if (faults < 0 || faults > 10_000) {
      throw new IllegalArgumentException(FAULTS_PROPERTY + " must be between 0 and 10000");
    }
    return new ChaosSettings(seed, faults, 3, 120, 200, 4, Duration.ofSeconds(3),
        Duration.ofSeconds(150), Duration.ofMillis(60));
  }
}
