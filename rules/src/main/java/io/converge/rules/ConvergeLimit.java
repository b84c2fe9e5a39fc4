package io.converge.rules;

import io.converge.adapter.ConvergeColumnCapabilities;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.exec.TopNSelector;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.metadata.RelMetadataQuery;

/**
 * LIMIT and top-N in storage: at most {@link #limit} rows of an optional
 * {@link ConvergeCondition} (all live rows without one). Without sort keys they are the first rows
 * in rid order ({@code LIMIT n}: the read stops there); with keys, the first rows in key order,
 * ties by rid, chosen by {@link TopNSelector} from the key columns alone before the other columns
 * of just those rows are read ({@code ORDER BY ... LIMIT n}). The rows come out in rid order: the
 * rule keeps Calcite's sort (with its offset and fetch) above, on at most {@link #limit} rows.
 */
public class ConvergeLimit extends ConvergeRowAccess {
  /** Cost of one row of a key-column pass, relative to a column scan's row (no row built). */
  static final double KEY_PASS_COST = 0.5d;

  /** A sort key: table column index, direction and null placement. */
  public record SortKey(int column, boolean descending, boolean nullsFirst) {}

  private final ConvergeCondition condition;
  private final List<SortKey> order;
  private final long limit;

  /**
   * @param condition rows to choose from (null: all)
   * @param order sort keys (empty: rid order)
   * @param limit rows to keep (offset + fetch)
   */
  public ConvergeLimit(RelOptCluster cluster, RelTraitSet traits, RelOptTable relOptTable,
      ConvergeTable table, int[] columns, ConvergeCondition condition, List<SortKey> order,
      long limit) {
    super(cluster, traits, relOptTable, table, columns);
    this.condition = condition;
    this.order = List.copyOf(order);
    this.limit = limit;
  }

  @Override
  public ConvergeRowAccess withColumns(int[] newColumns) {
    return new ConvergeLimit(getCluster(), getTraitSet(), relOptTable, table, newColumns,
        condition, order, limit);
  }

  @Override
  protected ConvergeAccess withTraits(RelTraitSet traitSet) {
    return new ConvergeLimit(getCluster(), traitSet, relOptTable, table, columns, condition,
        order, limit);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    List<String> keys = new ArrayList<>();
    for (SortKey k : order) {
      keys.add(table.columns().get(k.column()).name() + (k.descending() ? " DESC" : "")
          + (k.nullsFirst() ? " NULLS FIRST" : " NULLS LAST"));
    }
    return super.explainTerms(pw)
        .itemIf("condition", condition == null ? "" : condition.text(), condition != null)
        .itemIf("order", keys, !keys.isEmpty())
        .item("limit", limit);
  }

  /** Rows the condition selects (all rows without one). */
  private double inputRows() {
    return condition == null ? tableRows() : Math.max(1d, condition.estimatedRows());
  }

  @Override
  public double estimateRowCount(RelMetadataQuery mq) {
    return Math.max(1d, Math.min(limit, inputRows()));
  }

  /**
   * Selecting the rids (the index, or nothing for all rows), a pass over the key columns for a
   * top-N, and reading the kept rows' columns.
   */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    double cost = 0;
    if (condition != null) {
      cost += tableRows() * ConvergeIndexFilter.INDEX_COST;
    }
    if (!order.isEmpty()) {
      double keyWidth = (order.size() + 2d) / (table.columns().size() + 2d);
      cost += inputRows() * KEY_PASS_COST * keyWidth
          * (condition == null ? 1d : ConvergeIndexFilter.ROW_COST);
    }
    cost += estimateRowCount(mq) * ConvergeIndexFilter.ROW_COST * widthFactor();
    return planner.getCostFactory().makeCost(cost, cost, cost);
  }

  @Override
  public void implement(Implementor implementor) {
    List<TopNSelector.Key> keys = new ArrayList<>();
    for (SortKey k : order) {
      keys.add(new TopNSelector.Key(table.columns().get(k.column()).path(),
          ConvergeColumnCapabilities.sortOrder(table, table.columns().get(k.column())), k.descending(),
          k.nullsFirst()));
    }
    implementor.setQuery(new ConvergeQuery(table, columnsAt(columns),
        condition == null ? null : condition.predicate(),
        condition == null ? null : condition.ids(), null, List.of(), false, keys, limit));
  }
}
