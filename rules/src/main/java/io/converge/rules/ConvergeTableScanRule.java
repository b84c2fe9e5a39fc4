package io.converge.rules;

import io.converge.adapter.ConvergeTable;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.immutables.value.Value;

/**
 * Planner rule that turns a logical scan of a Converge table into a {@link ConvergeTableScan} of
 * every column.
 *
 * @see ConvergeRules#TABLE_SCAN
 */
@Value.Enclosing
public class ConvergeTableScanRule extends RelRule<ConvergeTableScanRule.Config> {

  /** Creates a ConvergeTableScanRule. */
  protected ConvergeTableScanRule(Config config) {
    super(config);
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    TableScan scan = call.rel(0);
    ConvergeTable table = scan.getTable().unwrap(ConvergeTable.class);
    call.transformTo(new ConvergeTableScan(scan.getCluster(),
        scan.getTraitSet().replace(ConvergeRel.CONVENTION), scan.getTable(), table,
        ConvergeScanPattern.allColumns(table.columns().size())));
  }

  /** Rule configuration. */
  @Value.Immutable
  public interface Config extends RelRule.Config {
    Config DEFAULT = ImmutableConvergeTableScanRule.Config.of()
        .withDescription("ConvergeTableScanRule")
        .as(Config.class)
        .withOperandFor(LogicalTableScan.class);

    @Override
    default ConvergeTableScanRule toRule() {
      return new ConvergeTableScanRule(this);
    }

    /** Defines an operand tree for the given scan class (of a Converge table). */
    default Config withOperandFor(Class<? extends TableScan> scanClass) {
      return withOperandSupplier(b0 -> b0.operand(scanClass)
          .predicate(ConvergeScanPattern::isConvergeTable).noInputs())
          .as(Config.class);
    }
  }
}
