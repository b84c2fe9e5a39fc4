package io.converge.cluster.aggregator.plan;

import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;

/**
 * Gathers the rows of any {@link ClusterRel} tree into Calcite's enumerable convention, as they
 * arrive ({@link ClusterMerge#CONCAT}). With {@code distributed=false} this is the only rule,
 * over a bare scan.
 *
 * @see ClusterRules#GATHER
 */
public final class ClusterGatherRule extends ConverterRule {
  /** Converts a CLUSTER rel to a concatenating gather. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(RelNode.class, ClusterRel.CONVENTION, EnumerableConvention.INSTANCE,
          "ClusterGatherRule")
      .withRuleFactory(ClusterGatherRule::new);

  private ClusterGatherRule(Config config) {
    super(config);
  }

  @Override
  public RelNode convert(RelNode rel) {
    return new ClusterGather(rel.getCluster(),
        rel.getTraitSet().replace(EnumerableConvention.INSTANCE), rel, ClusterMerge.CONCAT,
        rel.getRowType());
  }
}
