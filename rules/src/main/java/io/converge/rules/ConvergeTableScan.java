package io.converge.rules;

import io.converge.adapter.ConvergeTable;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.metadata.RelMetadataQuery;

/**
 * Column scan: every live row, reading only the column segments of {@link #columns}. Filters
 * above it run in Calcite.
 */
public class ConvergeTableScan extends ConvergeRowAccess {
  public ConvergeTableScan(RelOptCluster cluster, RelTraitSet traits, RelOptTable relOptTable,
      ConvergeTable table, int[] columns) {
    super(cluster, traits, relOptTable, table, columns);
  }

  @Override
  public ConvergeTableScan withColumns(int[] newColumns) {
    return new ConvergeTableScan(getCluster(), getTraitSet(), relOptTable, table, newColumns);
  }

  @Override
  protected ConvergeAccess withTraits(RelTraitSet traitSet) {
    return new ConvergeTableScan(getCluster(), traitSet, relOptTable, table, columns);
  }

  @Override
  public double estimateRowCount(RelMetadataQuery mq) {
    return tableRows();
  }

  /** Sequential reads of the needed column segments: cheaper per row than anything else. */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    double rows = tableRows();
    double f = widthFactor();
    return planner.getCostFactory().makeCost(rows * 0.9 * f, rows * f, rows * f);
  }

  @Override
  public void implement(Implementor implementor) {
    implementor.setQuery(new ConvergeQuery(table, columnsAt(columns), null, null, null,
        java.util.List.of(), false));
  }
}
