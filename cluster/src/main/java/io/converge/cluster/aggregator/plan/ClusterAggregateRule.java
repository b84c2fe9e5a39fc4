package io.converge.cluster.aggregator.plan;

import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.logical.LogicalAggregate;

/**
 * Splits an aggregate into a partial aggregate per shard (pushed in the fragment) and the merge
 * of the partial rows by group key in the gather ({@link ClusterMerge.Kind#AGGREGATE}). Plain
 * GROUP BY with COUNT, SUM, $SUM0, MIN and MAX; AVG arrives here as SUM and COUNT
 * (Calcite's {@code AggregateReduceFunctionsRule}) and COUNT(DISTINCT x) as a GROUP BY on x below
 * a COUNT ({@code AggregateExpandDistinctAggregatesRule}), which this rule pushes exactly.
 *
 * @see ClusterRules#AGGREGATE
 */
public final class ClusterAggregateRule extends ConverterRule {
  /** Converts a partially computable {@link LogicalAggregate} to an aggregating gather. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(LogicalAggregate.class, ClusterAggregateRule::pushable,
          Convention.NONE, EnumerableConvention.INSTANCE, "ClusterAggregateRule")
      .withRuleFactory(ClusterAggregateRule::new);

  private ClusterAggregateRule(Config config) {
    super(config);
  }

  static boolean pushable(Aggregate aggregate) {
    return aggregate.getGroupType() == Aggregate.Group.SIMPLE
        && aggregate.getAggCallList().stream().allMatch(c -> ClusterMerge.combineOf(c) != null);
  }

  @Override
  public RelNode convert(RelNode rel) {
    LogicalAggregate aggregate = (LogicalAggregate) rel;
    RelNode input = aggregate.getInput();
    return new ClusterGather(aggregate.getCluster(),
        aggregate.getTraitSet().replace(EnumerableConvention.INSTANCE),
        convert(input, input.getTraitSet().replace(ClusterRel.CONVENTION)),
        ClusterMerge.aggregate(aggregate.getGroupSet(), aggregate.getAggCallList()),
        aggregate.getRowType());
  }
}
