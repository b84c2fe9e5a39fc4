package io.converge.rules;

import io.converge.adapter.ConvergeTable;
import io.converge.storage.query.Aggregation;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;

/**
 * Column aggregate: {@code GROUP BY} keys and COUNT / COUNT(DISTINCT) / SUM / $SUM0 / MIN / MAX
 * computed by the storage layer over the encoded column segments, over all live rows or over the
 * rids of an index filter or row lookup ({@link #condition}, null for all rows). AVG arrives
 * reduced to SUM / COUNT by Calcite's {@code AggregateReduceFunctionsRule}.
 */
public class ConvergeAggregate extends ConvergeAccess {
  /**
   * Cost per input row and column of aggregating encoded segments, relative to a column-scan
   * row: tight loops over dictionary codes and packed values, no row objects.
   */
  static final double ROW_COST = 0.01d;

  private final ConvergeCondition condition;
  private final Aggregation aggregation;
  private final List<ConvergeQuery.AggregateOutput> outputs;
  private final RelDataType aggregateRowType;
  private final String text;

  public ConvergeAggregate(RelOptCluster cluster, RelTraitSet traits, RelOptTable relOptTable,
      ConvergeTable table, ConvergeCondition condition, Aggregation aggregation,
      List<ConvergeQuery.AggregateOutput> outputs, RelDataType rowType, String text) {
    super(cluster, traits, relOptTable, table);
    this.condition = condition;
    this.aggregation = aggregation;
    this.outputs = List.copyOf(outputs);
    this.aggregateRowType = rowType;
    this.text = text;
  }

  public Aggregation aggregation() {
    return aggregation;
  }

  @Override
  protected RelDataType deriveRowType() {
    return aggregateRowType;
  }

  @Override
  protected ConvergeAccess withTraits(RelTraitSet traitSet) {
    return new ConvergeAggregate(getCluster(), traitSet, relOptTable, table, condition,
        aggregation, outputs, aggregateRowType, text);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    super.explainTerms(pw)
        .item("group", aggregation.groupBy())
        .item("aggregates", text);
    if (condition != null) {
      pw.item(condition.ids() != null ? "lookup" : "condition", condition.text());
    }
    return pw;
  }

  private double inputRows() {
    return condition == null ? tableRows()
        : Math.max(1d, Math.min(tableRows(), condition.estimatedRows()));
  }

  @Override
  public double estimateRowCount(RelMetadataQuery mq) {
    if (aggregation.groupBy().isEmpty()) {
      return 1d;
    }
    return Math.max(1d, inputRows() * 0.1d);
  }

  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    java.util.Set<String> columns = new java.util.HashSet<>(aggregation.groupBy());
    for (Aggregation.Call c : aggregation.calls()) {
      if (c.path() != null) {
        columns.add(c.path());
      }
      if (c.arithmetic() != null) {
        columns.add(c.arithmetic().left());
        columns.add(c.arithmetic().right());
      }
    }
    // COUNT(*) of all rows reads only the live bitmaps.
    double cost = columns.isEmpty() && condition == null ? 1d
        : inputRows() * ROW_COST * Math.max(1, columns.size());
    cost += (condition == null || condition.predicate() == null ? 0d
            : tableRows() * ConvergeIndexFilter.INDEX_COST)
        + estimateRowCount(mq) * 0.01;
    return planner.getCostFactory().makeCost(cost, cost, cost);
  }

  @Override
  public void implement(Implementor implementor) {
    implementor.setQuery(new ConvergeQuery(table, List.of(),
        condition == null ? null : condition.predicate(),
        condition == null ? null : condition.ids(), aggregation, outputs, false));
  }
}
