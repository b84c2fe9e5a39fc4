package io.converge.adapter;

import java.util.List;
import org.apache.calcite.interpreter.BindableConvention;
import org.apache.calcite.interpreter.Bindables;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.InvalidRelException;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.tools.RelBuilderFactory;

/**
 * Makes an aggregate that uses no column of a Converge table ({@code SELECT COUNT(*) FROM t})
 * scan no column. Without it Calcite plans a plain table scan, which reads every column:
 * its project push-down does not fire because no Project sits between the Aggregate and the
 * scan. The rule turns {@code Aggregate(TableScan)} into a bindable aggregate over a bindable scan
 * that projects nothing; both run in Calcite's interpreter, where rows of zero fields are fine
 * (generated code is not).
 *
 * <p>Registered by {@link ConvergeTable#toRel}. The planner-rules work replaces it with a count
 * read from the live bitmaps.
 */
public final class ConvergeNoColumnScanRule extends RelRule<ConvergeNoColumnScanRule.Config> {
  public static final ConvergeNoColumnScanRule INSTANCE = Config.DEFAULT.toRule();

  private ConvergeNoColumnScanRule(Config config) {
    super(config);
  }

  @Override
  public boolean matches(RelOptRuleCall call) {
    Aggregate aggregate = call.rel(0);
    if (!aggregate.getGroupSet().isEmpty() || aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
      return false;
    }
    for (AggregateCall c : aggregate.getAggCallList()) {
      if (!c.getArgList().isEmpty() || c.filterArg >= 0 || c.isDistinct()
          || !c.collation.getFieldCollations().isEmpty() || !c.rexList.isEmpty()) {
        return false;
      }
    }
    LogicalTableScan scan = call.rel(1);
    return scan.getTable().unwrap(ConvergeTable.class) != null;
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    Aggregate aggregate = call.rel(0);
    LogicalTableScan scan = call.rel(1);
    Bindables.BindableTableScan noColumns = Bindables.BindableTableScan.create(
        scan.getCluster(), scan.getTable(), List.of(), List.of());
    try {
      call.transformTo(new Bindables.BindableAggregate(aggregate.getCluster(),
          aggregate.getTraitSet().replace(BindableConvention.INSTANCE), noColumns,
          aggregate.getGroupSet(), aggregate.getGroupSets(), aggregate.getAggCallList()));
    } catch (InvalidRelException e) {
      // Not expected for a simple aggregate without arguments; leave the plan as it is.
    }
  }

  /** Rule configuration (written by hand: the build does not run the Immutables processor). */
  public record Config(String description, OperandTransform operandSupplier,
      RelBuilderFactory relBuilderFactory) implements RelRule.Config {
    public static final Config DEFAULT = new Config("ConvergeNoColumnScanRule",
        b0 -> b0.operand(LogicalAggregate.class).oneInput(b1 ->
            b1.operand(LogicalTableScan.class).noInputs()),
        RelFactories.LOGICAL_BUILDER);

    @Override
    public ConvergeNoColumnScanRule toRule() {
      return new ConvergeNoColumnScanRule(this);
    }

    @Override
    public Config withRelBuilderFactory(RelBuilderFactory factory) {
      return new Config(description, operandSupplier, factory);
    }

    @Override
    public Config withDescription(String d) {
      return new Config(d, operandSupplier, relBuilderFactory);
    }

    @Override
    public Config withOperandSupplier(OperandTransform transform) {
      return new Config(description, transform, relBuilderFactory);
    }
  }
}
