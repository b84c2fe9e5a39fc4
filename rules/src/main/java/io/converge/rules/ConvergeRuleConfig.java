package io.converge.rules;

import java.util.function.Function;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.tools.RelBuilderFactory;

/**
 * {@link RelRule.Config} of Converge's rules, written by hand as a record (the build does not run
 * the Immutables annotation processor that Calcite's own configs come from).
 *
 * @param factory builds the rule from this configuration
 */
public record ConvergeRuleConfig(String description, RelRule.OperandTransform operandSupplier,
    RelBuilderFactory relBuilderFactory, Function<ConvergeRuleConfig, RelOptRule> factory)
    implements RelRule.Config {

  @Override
  public RelOptRule toRule() {
    return factory.apply(this);
  }

  @Override
  public ConvergeRuleConfig withRelBuilderFactory(RelBuilderFactory f) {
    return new ConvergeRuleConfig(description, operandSupplier, f, factory);
  }

  @Override
  public ConvergeRuleConfig withDescription(String d) {
    return new ConvergeRuleConfig(d, operandSupplier, relBuilderFactory, factory);
  }

  @Override
  public ConvergeRuleConfig withOperandSupplier(RelRule.OperandTransform transform) {
    return new ConvergeRuleConfig(description, transform, relBuilderFactory, factory);
  }
}
