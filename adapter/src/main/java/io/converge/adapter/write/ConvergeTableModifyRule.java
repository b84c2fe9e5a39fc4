package io.converge.adapter.write;

import io.converge.adapter.ConvergeTable;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rel.logical.LogicalTableModify;

/**
 * Plans INSERT, UPDATE and DELETE on a Converge table as a {@link ConvergeTableModify}. Converge
 * tables are not Calcite {@code ModifiableTable}s (whose enumerable plan writes into a Java
 * collection and cannot UPDATE), so this is the only rule that converts their modifications.
 */
public final class ConvergeTableModifyRule extends ConverterRule {
  public static final ConvergeTableModifyRule INSTANCE = Config.INSTANCE
      .withConversion(LogicalTableModify.class, Convention.NONE,
          EnumerableConvention.INSTANCE, "ConvergeTableModifyRule")
      .withRuleFactory(ConvergeTableModifyRule::new)
      .toRule(ConvergeTableModifyRule.class);

  private ConvergeTableModifyRule(Config config) {
    super(config);
  }

  @Override
  public RelNode convert(RelNode rel) {
    TableModify modify = (TableModify) rel;
    if (modify.getTable().unwrap(ConvergeTable.class) == null) {
      return null;
    }
    RelNode input = convert(modify.getInput(),
        modify.getInput().getTraitSet().replace(EnumerableConvention.INSTANCE));
    return new ConvergeTableModify(modify.getCluster(),
        modify.getTraitSet().replace(EnumerableConvention.INSTANCE), modify.getTable(),
        modify.getCatalogReader(), input, modify.getOperation(), modify.getUpdateColumnList(),
        modify.getSourceExpressionList(), modify.isFlattened());
  }
}
