package io.converge.rules;

import org.apache.calcite.adapter.enumerable.EnumerableAggregate;
import org.apache.calcite.adapter.enumerable.EnumerableProject;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.InvalidRelException;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Project;
import org.immutables.value.Value;

/**
 * Planner rule that turns an enumerable aggregate over a {@link ConvergeHashJoin} (directly or
 * through a project, a calc once Calcite's last phase has merged it) into the same aggregate as a
 * {@link ConvergeStarAggregate}, which folds it in storage when the join is a star.
 *
 * @see ConvergeRules#STAR_AGGREGATE
 * @see ConvergeRules#STAR_AGGREGATE_PROJECT
 */
@Value.Enclosing
public class ConvergeStarAggregateRule extends RelRule<ConvergeStarAggregateRule.Config> {

  /** Creates a ConvergeStarAggregateRule. */
  protected ConvergeStarAggregateRule(Config config) {
    super(config);
  }

  /** A plain enumerable aggregate, not yet a star aggregate. */
  static boolean notStarYet(EnumerableAggregate a) {
    return !(a instanceof ConvergeStarAggregate) && a.getGroupType() == Aggregate.Group.SIMPLE;
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    try {
      call.transformTo(ConvergeStarAggregate.of(call.rel(0)));
    } catch (InvalidRelException e) {
      // not an aggregate Calcite's enumerable one accepts: leave it
    }
  }

  /** Rule configuration. */
  @Value.Immutable
  public interface Config extends RelRule.Config {
    /** Aggregate directly over the join. */
    Config DEFAULT = ImmutableConvergeStarAggregateRule.Config.of()
        .withDescription("ConvergeStarAggregateRule")
        .as(Config.class)
        .withOperandFor(EnumerableAggregate.class, null);

    /** Aggregate over a project over the join. */
    Config PROJECT = DEFAULT.withOperandFor(EnumerableAggregate.class, EnumerableProject.class)
        .withDescription("ConvergeStarAggregateRule:project")
        .as(Config.class);

    @Override
    default ConvergeStarAggregateRule toRule() {
      return new ConvergeStarAggregateRule(this);
    }

    /**
     * Defines an operand tree {@code aggregateClass [projectClass] ConvergeHashJoin}; a null
     * project class leaves that level out.
     */
    default Config withOperandFor(Class<? extends EnumerableAggregate> aggregateClass,
        Class<? extends Project> projectClass) {
      return withOperandSupplier(b0 -> b0.operand(aggregateClass)
          .predicate(ConvergeStarAggregateRule::notStarYet)
          .oneInput(projectClass == null
              ? b1 -> b1.operand(ConvergeHashJoin.class).anyInputs()
              : b1 -> b1.operand(projectClass).oneInput(b2 ->
                  b2.operand(ConvergeHashJoin.class).anyInputs())))
          .as(Config.class);
    }
  }
}
