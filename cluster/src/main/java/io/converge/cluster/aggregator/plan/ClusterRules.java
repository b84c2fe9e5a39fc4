package io.converge.cluster.aggregator.plan;

import java.util.List;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.rel.rules.CoreRules;

/** The aggregator's distributed planning rules. */
public final class ClusterRules {
  private ClusterRules() {}

  /** Rows of a CLUSTER tree gathered as they arrive. */
  public static final ClusterGatherRule GATHER = (ClusterGatherRule) ClusterGatherRule.DEFAULT_CONFIG.toRule();

  /** Filters evaluated by each shard. */
  public static final ClusterFilterRule FILTER = (ClusterFilterRule) ClusterFilterRule.DEFAULT_CONFIG.toRule();

  /** Projections computed by each shard. */
  public static final ClusterProjectRule PROJECT =
      (ClusterProjectRule) ClusterProjectRule.DEFAULT_CONFIG.toRule();

  /** Partial aggregates per shard, merged by group key in the gather. */
  public static final ClusterAggregateRule AGGREGATE =
      (ClusterAggregateRule) ClusterAggregateRule.DEFAULT_CONFIG.toRule();

  /** Top-N and LIMIT per shard, merged (or stopped early) in the gather. */
  public static final ClusterSortRule SORT = (ClusterSortRule) ClusterSortRule.DEFAULT_CONFIG.toRule();

  /**
   * The pushdown rules, with the Calcite rules that turn AVG into SUM / COUNT and COUNT(DISTINCT)
   * into a GROUP BY (joined to the other aggregates when mixed with them) so that they too can be
   * pushed.
   */
  public static final List<RelOptRule> PUSHDOWN = List.of(FILTER, PROJECT, AGGREGATE, SORT,
      CoreRules.AGGREGATE_REDUCE_FUNCTIONS, CoreRules.AGGREGATE_EXPAND_DISTINCT_AGGREGATES,
      CoreRules.AGGREGATE_EXPAND_DISTINCT_AGGREGATES_TO_JOIN);

  /** Registers {@link #GATHER} and, when {@code distributed}, the {@link #PUSHDOWN} rules. */
  public static void register(RelOptPlanner planner, boolean distributed) {
    planner.addRule(GATHER);
    if (distributed) {
      PUSHDOWN.forEach(planner::addRule);
    }
  }
}
