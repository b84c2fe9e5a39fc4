package io.converge.rules;

import io.converge.adapter.ConvergeColumnCapabilities;
import io.converge.adapter.ConvergeTable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.util.ImmutableBitSet;
import org.immutables.value.Value;

/**
 * Planner rule that turns {@code [ORDER BY keys] LIMIT n [OFFSET m]} over a
 * {@code [Project] [Filter] TableScan} of a Converge table into a {@link ConvergeLimit} of
 * {@code n + m} rows (first rows, or top-N) under the same Calcite sort, when the whole filter
 * translates and every key is a column whose values storage orders as Calcite does
 * ({@link ConvergeColumnCapabilities#sortOrder}).
 *
 * @see ConvergeRules#LIMIT
 */
@Value.Enclosing
public class ConvergeLimitRule extends RelRule<ConvergeLimitRule.Config> {
  /** Limits above this stay in Calcite (the selector keeps its candidates in memory). */
  static final long MAX_LIMIT = 1_000_000L;

  /** Creates a ConvergeLimitRule. */
  protected ConvergeLimitRule(Config config) {
    super(config);
  }

  /** A sort with a literal fetch (and a literal offset, if any). */
  static boolean hasFetch(Sort s) {
    return s.fetch instanceof RexLiteral && (s.offset == null || s.offset instanceof RexLiteral);
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    Sort sort = call.rel(0);
    ConvergeScanPattern p = ConvergeScanPattern.of(call, 1);
    long limit = rows(sort);
    if (limit < 0 || limit > MAX_LIMIT) {
      return;
    }
    ConvergeTable table = p.table();
    int width = table.columns().size();
    ConvergeCondition condition = null;
    if (p.filter() != null) {
      condition = p.wholeCondition();
      if (condition == null) {
        return;
      }
    }
    List<ConvergeLimit.SortKey> keys = sortKeys(sort, p, table);
    if (keys == null) {
      return;
    }
    ImmutableBitSet used = p.project() == null ? ImmutableBitSet.range(width)
        : RelOptUtil.InputFinder.bits(p.project().getProjects(), null);
    int[] columns = used.isEmpty() ? new int[] {0} : used.toArray();
    RelNode access = new ConvergeLimit(sort.getCluster(),
        p.scan().getTraitSet().replace(ConvergeRel.CONVENTION), p.scan().getTable(), table,
        columns, condition, keys, limit);
    RelBuilder builder = call.builder().push(access);
    if (p.project() != null) {
      builder.project(ConvergeScanPattern.remap(p.project().getProjects(), columns, width),
          p.project().getRowType().getFieldNames());
    }
    call.transformTo(sort.copy(sort.getTraitSet(), builder.build(), sort.getCollation(),
        sort.offset, sort.fetch));
  }

  /** {@code fetch + offset}, or -1 when it is not an exact long. */
  private static long rows(Sort sort) {
    try {
      long limit = ((RexLiteral) sort.fetch).getValueAs(BigDecimal.class).longValueExact();
      if (sort.offset != null) {
        limit += ((RexLiteral) sort.offset).getValueAs(BigDecimal.class).longValueExact();
      }
      return limit;
    } catch (ArithmeticException | NullPointerException e) {
      return -1;
    }
  }

  /** The sort's keys as table columns storage can order by, or null. */
  private static List<ConvergeLimit.SortKey> sortKeys(Sort sort, ConvergeScanPattern p,
      ConvergeTable table) {
    List<ConvergeLimit.SortKey> keys = new ArrayList<>();
    for (RelFieldCollation fc : sort.getCollation().getFieldCollations()) {
      int column = fc.getFieldIndex();
      if (p.project() != null) {
        if (!(p.project().getProjects().get(column) instanceof RexInputRef ref)) {
          return null;
        }
        column = ref.getIndex();
      }
      if (ConvergeColumnCapabilities.sortOrder(table, table.columns().get(column)) == null) {
        return null;
      }
      RelFieldCollation.NullDirection nulls =
          fc.nullDirection == RelFieldCollation.NullDirection.UNSPECIFIED
              ? fc.direction.defaultNullDirection() : fc.nullDirection;
      keys.add(new ConvergeLimit.SortKey(column, fc.direction.isDescending(),
          nulls == RelFieldCollation.NullDirection.FIRST));
    }
    return keys;
  }

  /** Rule configuration. */
  @Value.Immutable
  public interface Config extends RelRule.Config {
    /** {@code [ORDER BY ...] LIMIT} directly over a scan. */
    Config DEFAULT = ImmutableConvergeLimitRule.Config.of()
        .withDescription("ConvergeLimitRule")
        .as(Config.class)
        .withOperandFor(LogicalSort.class, null, null);

    Config PROJECT = DEFAULT.withOperandFor(LogicalSort.class, LogicalProject.class, null)
        .withDescription("ConvergeLimitRule:project")
        .as(Config.class);

    Config FILTER = DEFAULT.withOperandFor(LogicalSort.class, null, LogicalFilter.class)
        .withDescription("ConvergeLimitRule:filter")
        .as(Config.class);

    Config PROJECT_FILTER = DEFAULT
        .withOperandFor(LogicalSort.class, LogicalProject.class, LogicalFilter.class)
        .withDescription("ConvergeLimitRule:project-filter")
        .as(Config.class);

    @Override
    default ConvergeLimitRule toRule() {
      return new ConvergeLimitRule(this);
    }

    /**
     * Defines an operand tree {@code sortClass [projectClass] [filterClass] LogicalTableScan} of
     * a Converge table, the sort having a literal fetch; a null class leaves that level out.
     */
    default Config withOperandFor(Class<? extends Sort> sortClass,
        Class<? extends Project> projectClass, Class<? extends Filter> filterClass) {
      return withOperandSupplier(b0 -> b0.operand(sortClass)
          .predicate(ConvergeLimitRule::hasFetch)
          .oneInput(ConvergeScanPattern.operands(projectClass, filterClass)))
          .as(Config.class);
    }
  }
}
