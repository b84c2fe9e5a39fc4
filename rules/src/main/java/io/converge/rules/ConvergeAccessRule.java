package io.converge.rules;

import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalProject;
import org.immutables.value.Value;

/**
 * Planner rule that turns the rows under a {@code [Project] [Filter] TableScan} of a Converge
 * table into one Converge access path: the filter's translatable conjuncts go to a
 * {@link ConvergeIndexFilter} (or a {@link ConvergeRowLookup} for {@code _id} equalities), the
 * rest stays in a Calcite filter above; only the columns the project and that filter use are read
 * (a pruned {@link ConvergeTableScan} when there is no filter).
 *
 * @see ConvergeRules#PROJECT
 * @see ConvergeRules#FILTER
 * @see ConvergeRules#PROJECT_FILTER
 */
@Value.Enclosing
public class ConvergeAccessRule extends RelRule<ConvergeAccessRule.Config> {

  /** Creates a ConvergeAccessRule. */
  protected ConvergeAccessRule(Config config) {
    super(config);
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    RelNode access = ConvergeScanPattern.of(call, 0).access(call.builder(), true);
    if (access != null) {
      call.transformTo(access);
    }
  }

  /** Rule configuration. */
  @Value.Immutable
  public interface Config extends RelRule.Config {
    /** Project over a filter over a scan: index filter or row lookup of the used columns. */
    Config DEFAULT = ImmutableConvergeAccessRule.Config.of()
        .withDescription("ConvergeAccessRule:project-filter")
        .as(Config.class)
        .withOperandFor(LogicalProject.class, LogicalFilter.class);

    /** Project over a scan: read only the used columns. */
    Config PROJECT = DEFAULT.withOperandFor(LogicalProject.class, null)
        .withDescription("ConvergeAccessRule:project")
        .as(Config.class);

    /** Filter over a scan: index filter or row lookup of all columns. */
    Config FILTER = DEFAULT.withOperandFor(null, LogicalFilter.class)
        .withDescription("ConvergeAccessRule:filter")
        .as(Config.class);

    @Override
    default ConvergeAccessRule toRule() {
      return new ConvergeAccessRule(this);
    }

    /**
     * Defines an operand tree {@code [projectClass] [filterClass] LogicalTableScan} of a Converge
     * table; a null class leaves that level out.
     */
    default Config withOperandFor(Class<? extends Project> projectClass,
        Class<? extends Filter> filterClass) {
      return withOperandSupplier(ConvergeScanPattern.operands(projectClass, filterClass))
          .as(Config.class);
    }
  }
}
