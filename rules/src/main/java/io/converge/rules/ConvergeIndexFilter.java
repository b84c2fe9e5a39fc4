package io.converge.rules;

import io.converge.adapter.ConvergeTable;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.metadata.RelMetadataQuery;

/**
 * Index filter: the rows for which a translated predicate is TRUE, found in the inverted index
 * (and the in-memory segments) as a rid bitmap, then read from the column segments of
 * {@link #columns} for those rids only. Conjuncts that could not be translated stay in a Calcite
 * filter above.
 */
public class ConvergeIndexFilter extends ConvergeRowAccess {
  /** Cost of producing one selected row, relative to one row of a column scan: rid-driven reads
   *  touch scattered positions of each segment. */
  static final double ROW_COST = 10d;
  /** Cost of evaluating the index, per table row (postings and dictionaries, not rows). */
  static final double INDEX_COST = 0.001d;

  /**
   * Test hook: when true, index filters and row lookups cost almost nothing, so the planner takes
   * them for every translatable filter (the differential test uses it to exercise the translator
   * on broad predicates too). Never set outside tests.
   */
  static volatile boolean preferForTests;

  protected final ConvergeCondition condition;

  public ConvergeIndexFilter(RelOptCluster cluster, RelTraitSet traits, RelOptTable relOptTable,
      ConvergeTable table, int[] columns, ConvergeCondition condition) {
    super(cluster, traits, relOptTable, table, columns);
    this.condition = condition;
  }

  public ConvergeCondition condition() {
    return condition;
  }

  @Override
  public ConvergeRowAccess withColumns(int[] newColumns) {
    return new ConvergeIndexFilter(getCluster(), getTraitSet(), relOptTable, table, newColumns,
        condition);
  }

  @Override
  protected ConvergeAccess withTraits(RelTraitSet traitSet) {
    return new ConvergeIndexFilter(getCluster(), traitSet, relOptTable, table, columns, condition);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("condition", condition.text());
  }

  @Override
  public double estimateRowCount(RelMetadataQuery mq) {
    return Math.max(1d, condition.estimatedRows());
  }

  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    if (preferForTests) {
      return planner.getCostFactory().makeTinyCost();
    }
    double rows = Math.max(1d, condition.estimatedRows());
    double f = widthFactor();
    double cost = rows * ROW_COST * f + tableRows() * INDEX_COST;
    return planner.getCostFactory().makeCost(cost, cost, cost);
  }

  @Override
  public void implement(Implementor implementor) {
    implementor.setQuery(new ConvergeQuery(table, columnsAt(columns), condition.predicate(),
        condition.ids(), null, List.of(), false));
  }
}
