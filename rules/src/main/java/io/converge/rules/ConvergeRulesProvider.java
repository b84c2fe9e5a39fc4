package io.converge.rules;

import io.converge.adapter.ConvergePlannerRules;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptRule;

/**
 * Registers {@link ConvergeRules#RULES} in place of {@link ConvergeRules#REPLACED}; found by the
 * adapter through ServiceLoader.
 */
public final class ConvergeRulesProvider implements ConvergePlannerRules {
  public ConvergeRulesProvider() {}

  @Override
  public void register(RelOptPlanner planner) {
    for (RelOptRule rule : ConvergeRules.REPLACED) {
      planner.removeRule(rule);
    }
    for (RelOptRule rule : ConvergeRules.RULES) {
      planner.addRule(rule);
    }
  }
}
