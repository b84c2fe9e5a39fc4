package io.converge.cluster.aggregator.write;

import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rel.logical.LogicalTableModify;

/**
 * Plans INSERT, UPDATE and DELETE on a cluster table (one that unwraps to a
 * {@link ClusterWriteTarget}) as a {@link ClusterTableModify}; ignores every other table.
 */
public final class ClusterTableModifyRule extends ConverterRule {
  public static final ClusterTableModifyRule INSTANCE = Config.INSTANCE
      .withConversion(LogicalTableModify.class, Convention.NONE,
          EnumerableConvention.INSTANCE, "ClusterTableModifyRule")
      .withRuleFactory(ClusterTableModifyRule::new)
      .toRule(ClusterTableModifyRule.class);

  private ClusterTableModifyRule(Config config) {
    super(config);
  }

  @Override
  public RelNode convert(RelNode rel) {
    TableModify modify = (TableModify) rel;
    if (modify.getTable().unwrap(ClusterWriteTarget.class) == null) {
      return null;
    }
    RelNode input = convert(modify.getInput(),
        modify.getInput().getTraitSet().replace(EnumerableConvention.INSTANCE));
    return new ClusterTableModify(modify.getCluster(),
        modify.getTraitSet().replace(EnumerableConvention.INSTANCE), modify.getTable(),
        modify.getCatalogReader(), input, modify.getOperation(), modify.getUpdateColumnList(),
        modify.getSourceExpressionList(), modify.isFlattened());
  }
}
