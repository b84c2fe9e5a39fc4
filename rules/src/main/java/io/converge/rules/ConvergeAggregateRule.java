package io.converge.rules;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeColumnCapabilities;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.query.Aggregation;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.immutables.value.Value;

/**
 * Planner rule that turns an aggregate over a {@code [Project] [Filter] TableScan} of a Converge
 * table into a {@link ConvergeAggregate} folded over the column segments, when the whole filter
 * translates, every group key is a groupable column and every call translates
 * ({@link ConvergeAggregateCalls}). The project may compute {@code a op b} of two numeric columns
 * as an aggregate's argument ({@code SUM(price * discount)}).
 *
 * @see ConvergeRules#AGGREGATE
 */
@Value.Enclosing
public class ConvergeAggregateRule extends RelRule<ConvergeAggregateRule.Config> {

  /** Creates a ConvergeAggregateRule. */
  protected ConvergeAggregateRule(Config config) {
    super(config);
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    Aggregate aggregate = call.rel(0);
    ConvergeScanPattern p = ConvergeScanPattern.of(call, 1);
    ConvergeTable table = p.table();
    if (aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
      return;
    }
    // 1. The filter, all of it in storage.
    ConvergeCondition condition = null;
    if (p.filter() != null) {
      condition = p.wholeCondition();
      if (condition == null) {
        return;
      }
    }
    // 2. The aggregate's input slots: table columns, or arithmetic of two of them.
    Slots slots = Slots.of(p, table);
    if (slots == null) {
      return;
    }
    // 3. Group keys: groupable columns.
    List<String> groupBy = new ArrayList<>();
    List<ConvergeQuery.AggregateOutput> outputs = new ArrayList<>();
    for (int key : aggregate.getGroupSet()) {
      ConvergeColumn c = slots.column(table, key);
      if (c == null || !ConvergeColumnCapabilities.groupable(table, c)) {
        return; // grouping by a computed value or a mixed-type column stays in Calcite
      }
      groupBy.add(c.path());
      outputs.add(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.VALUE, c));
    }
    // 4. Calls.
    ConvergeAggregateCalls calls = translateCalls(aggregate, table, slots);
    if (calls == null) {
      return;
    }
    outputs.addAll(calls.outputs());
    call.transformTo(new ConvergeAggregate(aggregate.getCluster(),
        aggregate.getTraitSet().replace(ConvergeRel.CONVENTION), p.scan().getTable(), table,
        condition, new Aggregation(groupBy, calls.calls()), outputs, aggregate.getRowType(),
        String.join(", ", calls.texts())));
  }

  /** The aggregate's calls in storage, or null when one of them cannot be. */
  private static ConvergeAggregateCalls translateCalls(Aggregate aggregate, ConvergeTable table,
      Slots slots) {
    ConvergeAggregateCalls calls = new ConvergeAggregateCalls(table);
    for (AggregateCall ac : aggregate.getAggCallList()) {
      if (!ConvergeAggregateCalls.plain(ac)) {
        return null;
      }
      int slot = ac.getArgList().isEmpty() ? -1 : ac.getArgList().get(0);
      boolean ok = slot >= 0 && slots.columns[slot] < 0
          ? calls.addComputed(ac, slots.computed[slot], slots.exprs.get(slot))
          : calls.add(ac, slot < 0 ? null : table.columns().get(slots.columns[slot]));
      if (!ok) {
        return null;
      }
    }
    return calls;
  }

  /**
   * The aggregate's input slots over the table.
   *
   * @param columns per slot, the table column it reads, or -1 when it computes {@code computed}
   * @param computed per slot, the arithmetic it computes, or null
   * @param exprs per slot, its expression over the table's columns
   */
  private record Slots(int[] columns, Aggregation.Arithmetic[] computed, List<RexNode> exprs) {
    /** The slots, or null when the project computes something storage does not. */
    static Slots of(ConvergeScanPattern p, ConvergeTable table) {
      if (p.project() == null) {
        int width = table.columns().size();
        return new Slots(ConvergeScanPattern.allColumns(width), new Aggregation.Arithmetic[width],
            List.of());
      }
      List<RexNode> exprs = p.project().getProjects();
      int[] columns = new int[exprs.size()];
      Aggregation.Arithmetic[] computed = new Aggregation.Arithmetic[columns.length];
      for (int i = 0; i < columns.length; i++) {
        RexNode e = exprs.get(i);
        if (e instanceof RexInputRef ref) {
          columns[i] = ref.getIndex();
        } else {
          computed[i] = ConvergeAggregateCalls.arithmetic(table, e);
          if (computed[i] == null) {
            return null;
          }
          columns[i] = -1;
        }
      }
      return new Slots(columns, computed, exprs);
    }

    /** The column a slot reads, or null when it computes. */
    ConvergeColumn column(ConvergeTable table, int slot) {
      return columns[slot] < 0 ? null : table.columns().get(columns[slot]);
    }
  }

  /** Rule configuration. */
  @Value.Immutable
  public interface Config extends RelRule.Config {
    /** Aggregate directly over a scan. */
    Config DEFAULT = ImmutableConvergeAggregateRule.Config.of()
        .withDescription("ConvergeAggregateRule")
        .as(Config.class)
        .withOperandFor(LogicalAggregate.class, null, null);

    Config PROJECT = DEFAULT.withOperandFor(LogicalAggregate.class, LogicalProject.class, null)
        .withDescription("ConvergeAggregateRule:project")
        .as(Config.class);

    Config FILTER = DEFAULT.withOperandFor(LogicalAggregate.class, null, LogicalFilter.class)
        .withDescription("ConvergeAggregateRule:filter")
        .as(Config.class);

    Config PROJECT_FILTER = DEFAULT
        .withOperandFor(LogicalAggregate.class, LogicalProject.class, LogicalFilter.class)
        .withDescription("ConvergeAggregateRule:project-filter")
        .as(Config.class);

    @Override
    default ConvergeAggregateRule toRule() {
      return new ConvergeAggregateRule(this);
    }

    /**
     * Defines an operand tree {@code aggregateClass [projectClass] [filterClass] LogicalTableScan}
     * of a Converge table; a null class leaves that level out.
     */
    default Config withOperandFor(Class<? extends Aggregate> aggregateClass,
        Class<? extends Project> projectClass, Class<? extends Filter> filterClass) {
      return withOperandSupplier(b0 -> b0.operand(aggregateClass)
          .oneInput(ConvergeScanPattern.operands(projectClass, filterClass)))
          .as(Config.class);
    }
  }
}
