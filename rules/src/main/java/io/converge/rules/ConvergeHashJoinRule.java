package io.converge.rules;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableRules;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.logical.LogicalJoin;

/**
 * Planner rule that turns a logical join into a {@link ConvergeHashJoin} when
 * {@link ConvergeHashJoin#accepts} it (inner equi-joins: the fact table probes, the dimensions are
 * hashed; a star of them over a Converge fact access runs as one {@link ConvergeStarJoin}), else
 * into what Calcite's {@link EnumerableRules#ENUMERABLE_JOIN_RULE}, which it replaces, makes of it
 * (hash join of other kinds, nested loops).
 *
 * @see ConvergeRules#HASH_JOIN
 */
public class ConvergeHashJoinRule extends ConverterRule {
  /** Default configuration. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(LogicalJoin.class, Convention.NONE, EnumerableConvention.INSTANCE,
          "ConvergeHashJoinRule")
      .withRuleFactory(ConvergeHashJoinRule::new);

  /** Creates a ConvergeHashJoinRule. */
  protected ConvergeHashJoinRule(Config config) {
    super(config);
  }

  @Override
  public RelNode convert(RelNode rel) {
    LogicalJoin join = (LogicalJoin) rel;
    if (!ConvergeHashJoin.accepts(join.getJoinType(), join.analyzeCondition(),
        join.getLeft().getRowType(), join.getRight().getRowType())) {
      return ((ConverterRule) EnumerableRules.ENUMERABLE_JOIN_RULE).convert(rel);
    }
    List<RelNode> inputs = new ArrayList<>(2);
    for (RelNode input : join.getInputs()) {
      inputs.add(convert(input, input.getTraitSet().replace(EnumerableConvention.INSTANCE)));
    }
    return ConvergeHashJoin.create(inputs.get(0), inputs.get(1), join.getCondition(),
        join.getVariablesSet());
  }
}
