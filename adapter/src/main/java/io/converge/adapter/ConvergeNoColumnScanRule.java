package io.converge.adapter;

import java.util.List;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.RelNode;
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
 * scan. The rule puts a projection of {@code _event_time}, the cheapest column to read, between
 * the two, so the scan reads one column (a scan of no column would have rows of zero fields, which
 * generated code cannot handle).
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
    // Aggregate over a scan of the one cheapest column (_event_time: bit-packed longs). Calcite's
    // interpreter aggregate would return no row at all for an empty table, so the aggregate stays
    // an ordinary one that the enumerable rules implement.
    org.apache.calcite.tools.RelBuilder b = call.builder();
    int cheapest = scan.getTable().unwrap(ConvergeTable.class).cheapestColumn();
    RelNode eventTime = b.push(scan).project(b.field(cheapest)).build();
    call.transformTo(aggregate.copy(aggregate.getTraitSet(), List.of(eventTime)));
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
