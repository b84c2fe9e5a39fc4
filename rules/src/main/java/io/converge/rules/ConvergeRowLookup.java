package io.converge.rules;

import io.converge.adapter.ConvergeTable;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.metadata.RelMetadataQuery;

/**
 * Row lookup: {@code _id = ?} or {@code _id IN (...)} through the primary key, optionally
 * intersected with an index predicate ({@link ConvergeCondition#predicate()}), then the columns of
 * the found rows.
 */
public class ConvergeRowLookup extends ConvergeIndexFilter {
  public ConvergeRowLookup(RelOptCluster cluster, RelTraitSet traits, RelOptTable relOptTable,
      ConvergeTable table, int[] columns, ConvergeCondition condition) {
    super(cluster, traits, relOptTable, table, columns, condition);
  }

  @Override
  public ConvergeRowAccess withColumns(int[] newColumns) {
    return new ConvergeRowLookup(getCluster(), getTraitSet(), relOptTable, table, newColumns,
        condition);
  }

  @Override
  protected ConvergeAccess withTraits(RelTraitSet traitSet) {
    return new ConvergeRowLookup(getCluster(), traitSet, relOptTable, table, columns, condition);
  }

  /** One pk read per id and the rows' column values; no index scan unless there is a predicate. */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    if (preferForTests) {
      return planner.getCostFactory().makeTinyCost();
    }
    double ids = Math.max(1d, condition.ids().size());
    double cost = ids * ROW_COST * widthFactor()
        + (condition.predicate() == null ? 0d : tableRows() * INDEX_COST);
    return planner.getCostFactory().makeCost(cost, cost, cost);
  }
}
