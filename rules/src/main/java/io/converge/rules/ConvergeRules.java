package io.converge.rules;

import java.util.List;
import org.apache.calcite.plan.RelOptRule;

/** Holder of Converge's planner rules (none yet; see the package documentation). */
public final class ConvergeRules {
  /** Every rule, in the order they should be registered. */
  public static final List<RelOptRule> RULES = List.of();

  private ConvergeRules() {}
}
