package io.converge.cluster.aggregator.plan;

import java.math.BigDecimal;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Pushes {@code [ORDER BY keys] LIMIT n [OFFSET m]} with literal bounds: every shard returns its
 * first {@code n + m} rows (in the keys' order when there are keys), and the gather merges them
 * ({@link ClusterMerge.Kind#TOP_N}) or, with no keys, stops reading once it has {@code m + n}
 * rows ({@link ClusterMerge.Kind#LIMIT}), then applies the offset and fetch.
 *
 * @see ClusterRules#SORT
 */
public final class ClusterSortRule extends ConverterRule {
  /** Limits above this stay at the aggregator (the merge holds them in memory). */
  static final long MAX_ROWS = 1_000_000L;

  /** Converts a {@link LogicalSort} with a literal fetch to a limiting gather. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(LogicalSort.class, s -> bound(s.fetch) >= 0
              && (s.offset == null || bound(s.offset) >= 0)
              && bound(s.fetch) + Math.max(0, bound(s.offset)) <= MAX_ROWS
              && comparableKeys(s),
          Convention.NONE, EnumerableConvention.INSTANCE, "ClusterSortRule")
      .withRuleFactory(ClusterSortRule::new);

  private ClusterSortRule(Config config) {
    super(config);
  }

  /** The gather merges by Java's order of the keys' values: scalar types only. */
  static boolean comparableKeys(Sort sort) {
    for (RelFieldCollation fc : sort.getCollation().getFieldCollations()) {
      SqlTypeName t = sort.getRowType().getFieldList().get(fc.getFieldIndex()).getType()
          .getSqlTypeName();
      if (t == null || t.getFamily() == null || SqlTypeName.ANY == t
          || !(SqlTypeName.NUMERIC_TYPES.contains(t) || SqlTypeName.CHAR_TYPES.contains(t)
          || SqlTypeName.DATETIME_TYPES.contains(t) || SqlTypeName.BOOLEAN_TYPES.contains(t))) {
        return false;
      }
    }
    return true;
  }

  /** A literal row count, or -1. */
  static long bound(RexNode n) {
    if (!(n instanceof RexLiteral lit)) {
      return -1;
    }
    BigDecimal v = lit.getValueAs(BigDecimal.class);
    try {
      return v == null ? -1 : v.longValueExact();
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  @Override
  public RelNode convert(RelNode rel) {
    Sort sort = (Sort) rel;
    RelNode input = sort.getInput();
    long offset = sort.offset == null ? 0 : bound(sort.offset);
    return new ClusterGather(sort.getCluster(),
        sort.getTraitSet().replace(EnumerableConvention.INSTANCE),
        convert(input, input.getTraitSet().replace(ClusterRel.CONVENTION)),
        ClusterMerge.limit(sort.getCollation(), offset, bound(sort.fetch)), sort.getRowType());
  }
}
