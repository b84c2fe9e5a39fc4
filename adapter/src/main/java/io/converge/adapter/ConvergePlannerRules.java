package io.converge.adapter;

import org.apache.calcite.plan.RelOptPlanner;

/**
 * Service interface through which the {@code rules} module (which depends on this one) adds its
 * push-down rules to a planner. {@link ConvergeTable#toRel} loads implementations with
 * {@link java.util.ServiceLoader} and calls them when the connection allows push-down
 * ({@link ConvergeConnectionProperty#PUSHDOWN}).
 */
public interface ConvergePlannerRules {
  /** Registers the push-down rules with {@code planner}. */
  void register(RelOptPlanner planner);
}
