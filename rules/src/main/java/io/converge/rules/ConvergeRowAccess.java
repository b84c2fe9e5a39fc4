package io.converge.rules;

import java.util.Arrays;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.type.RelDataType;
import io.converge.adapter.ConvergeTable;

/**
 * An access path that produces rows of some of the table's columns ({@link #columns}, table
 * column indexes in output order).
 */
public abstract class ConvergeRowAccess extends ConvergeAccess {
  protected final int[] columns;

  protected ConvergeRowAccess(RelOptCluster cluster, RelTraitSet traits, RelOptTable relOptTable,
      ConvergeTable table, int[] columns) {
    super(cluster, traits, relOptTable, table);
    this.columns = columns.clone();
  }

  public int[] columns() {
    return columns.clone();
  }

  /** The same rows, producing other columns. */
  public abstract ConvergeRowAccess withColumns(int[] newColumns);

  @Override
  protected RelDataType deriveRowType() {
    return projectedRowType(relOptTable, getCluster().getTypeFactory(), columns);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("columns", namesAt(columns));
  }

  /** Share of the table's width read: scans of fewer columns are cheaper. */
  protected double widthFactor() {
    return (columns.length + 2d) / (table.columns().size() + 2d);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + Arrays.toString(columns);
  }
}
