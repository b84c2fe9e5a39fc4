package io.converge.cluster.aggregator.plan;

import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.metadata.RelMetadataQuery;

/** A scan of one collection's shards, each leaf reading its own. */
public final class ClusterTableScan extends TableScan implements ClusterRel {
  private final ClusterTable clusterTable;

  public ClusterTableScan(RelOptCluster cluster, RelTraitSet traitSet, RelOptTable table,
      ClusterTable clusterTable) {
    super(cluster, traitSet, List.of(), table);
    this.clusterTable = clusterTable;
  }

  public ClusterTable clusterTable() {
    return clusterTable;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ClusterTableScan(getCluster(), traitSet, table, clusterTable);
  }

  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    RelOptCost cost = super.computeSelfCost(planner, mq);
    return cost == null ? null : cost.multiplyBy(LEAF_COST_FACTOR);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .item("partitions", clusterTable.entry().partitions());
  }
}
