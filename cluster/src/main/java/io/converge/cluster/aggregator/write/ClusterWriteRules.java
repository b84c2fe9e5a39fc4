package io.converge.cluster.aggregator.write;

import org.apache.calcite.plan.RelOptPlanner;

/** The planner rules of SQL writes at an aggregator (INSERT / UPDATE / DELETE into topics). */
public final class ClusterWriteRules {
  private ClusterWriteRules() {}

  /** Registers the write rules with a planner; called by every cluster table's scan. */
  public static void register(RelOptPlanner planner) {}
}
