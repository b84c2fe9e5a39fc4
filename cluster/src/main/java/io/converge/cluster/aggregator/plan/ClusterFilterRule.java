package io.converge.cluster.aggregator.plan;

import java.util.List;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.logical.LogicalFilter;

/**
 * Pushes a filter below the gather: every shard keeps its own matching rows (a leaf answers it
 * with its indexes). Only conditions every leaf evaluates as the aggregator would
 * ({@link ClusterPushable}). A filter on {@code _id} also narrows the partitions asked
 * ({@link ClusterIdKeys}), at execution when the keys are parameters.
 *
 * @see ClusterRules#FILTER
 */
public final class ClusterFilterRule extends ConverterRule {
  /** Converts a pushable {@link LogicalFilter} to a {@link ClusterFilter}. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(LogicalFilter.class, f -> ClusterPushable.all(List.of(f.getCondition())),
          Convention.NONE, ClusterRel.CONVENTION, "ClusterFilterRule")
      .withRuleFactory(ClusterFilterRule::new);

  private ClusterFilterRule(Config config) {
    super(config);
  }

  @Override
  public RelNode convert(RelNode rel) {
    LogicalFilter filter = (LogicalFilter) rel;
    RelNode input = filter.getInput();
    return new ClusterFilter(filter.getCluster(), filter.getTraitSet().replace(ClusterRel.CONVENTION),
        convert(input, input.getTraitSet().replace(ClusterRel.CONVENTION)), filter.getCondition());
  }
}
