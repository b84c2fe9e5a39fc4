package io.converge.rules;

import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;

/**
 * Planner rule that converts a relational expression from the Converge convention
 * ({@link ConvergeRel#CONVENTION}) to Calcite's enumerable one.
 *
 * @see ConvergeRules#TO_ENUMERABLE
 */
public class ConvergeToEnumerableConverterRule extends ConverterRule {
  /** Default configuration. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(RelNode.class, ConvergeRel.CONVENTION, EnumerableConvention.INSTANCE,
          "ConvergeToEnumerableConverterRule")
      .withRuleFactory(ConvergeToEnumerableConverterRule::new);

  /** Creates a ConvergeToEnumerableConverterRule. */
  protected ConvergeToEnumerableConverterRule(Config config) {
    super(config);
  }

  @Override
  public RelNode convert(RelNode rel) {
    return new ConvergeToEnumerableConverter(rel.getCluster(),
        rel.getTraitSet().replace(getOutConvention()), rel);
  }
}
