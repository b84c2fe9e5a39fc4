package io.converge.cluster.aggregator.plan;

import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;

/**
 * A relational operator that every shard runs alone, below a {@link ClusterGather}: a scan of
 * one collection and the row-by-row filters and projections above it. Partial aggregates and
 * top-N are not rels of this convention but merges of the gather itself ({@link ClusterMerge}),
 * so that nothing above them can be pushed by mistake.
 */
public interface ClusterRel extends RelNode {
  /** Rows computed by the leaves, one shard at a time. */
  Convention CONVENTION = new Convention.Impl("CLUSTER", ClusterRel.class);

  /** Work at the leaves runs in parallel over shards: cheaper than the same work at the gather. */
  double LEAF_COST_FACTOR = 0.1;
}
