package io.converge.cluster.chaos;

import java.util.Random;

/**
 * One kind of fault the harness injects into a running {@link ChaosCluster}. A new kind is one
 * class implementing this, listed in {@link FaultPlan#KINDS}: the plan schedules it, the run waits
 * after it for the cluster to be whole again and the final check holds it to the same model.
 * {@link LeafGrowShrink} was added so: the other kinds find the leaves it adds in
 * {@link ChaosCluster#role}.
 */
interface Fault {
  /** A short name for the report: {@code leaf-kill}, {@code kafka-restart}, ... */
  String kind();

  /**
   * Injects the fault and undoes it (a killed process is started again), choosing what to hit
   * and how from {@code random}; returns once the process is started again (not necessarily
   * serving). The description says what was done, for the report.
   */
  String inject(ChaosCluster cluster, Random random) throws Exception;
}
