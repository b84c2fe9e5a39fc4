package io.converge.rules;

import io.converge.adapter.ConvergeTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * A matched {@code [Project] [Filter] TableScan} of a Converge table: the input that the access,
 * aggregate and limit rules match ({@link #operands}) and turn into a Converge access path.
 *
 * <p>The rules match logical patterns down to the logical scan, not Converge rels under logical
 * ones: a Volcano operand only sees the rels of its parent's input subset, whose convention is
 * NONE.
 *
 * @param project the project, or null
 * @param filter the filter, or null
 * @param scan the scan
 */
record ConvergeScanPattern(Project project, Filter filter, TableScan scan) {

  /** Whether a scan reads a Converge table. */
  static boolean isConvergeTable(TableScan scan) {
    return scan.getTable().unwrap(ConvergeTable.class) != null;
  }

  /**
   * Operands {@code [projectClass] [filterClass] LogicalTableScan} of a Converge table; a null
   * class leaves that level out.
   */
  static RelRule.OperandTransform operands(Class<? extends Project> projectClass,
      Class<? extends Filter> filterClass) {
    RelRule.OperandTransform scan = b -> b.operand(LogicalTableScan.class)
        .predicate(ConvergeScanPattern::isConvergeTable).noInputs();
    RelRule.OperandTransform filter = filterClass == null ? scan
        : b -> b.operand(filterClass).oneInput(scan);
    return projectClass == null ? filter : b -> b.operand(projectClass).oneInput(filter);
  }

  /** The pattern among the rels of a call, from rel {@code first} down. */
  static ConvergeScanPattern of(RelOptRuleCall call, int first) {
    Project project = null;
    Filter filter = null;
    TableScan scan = null;
    for (int i = first; i < call.rels.length; i++) {
      RelNode r = call.rel(i);
      if (r instanceof Project p) {
        project = p;
      } else if (r instanceof Filter f) {
        filter = f;
      } else if (r instanceof TableScan s) {
        scan = s;
      }
    }
    return new ConvergeScanPattern(project, filter, scan);
  }

  ConvergeTable table() {
    return scan.getTable().unwrap(ConvergeTable.class);
  }

  /** The filter as one Converge condition when all of it translates, else null. */
  ConvergeCondition wholeCondition() {
    if (filter == null || !filter.getVariablesSet().isEmpty()) {
      return null;
    }
    ConvergeFilterTranslator.Result r = translate();
    if (!r.translatedSomething() || !r.residual().isEmpty()) {
      return null;
    }
    return condition(r);
  }

  private ConvergeFilterTranslator.Result translate() {
    ConvergeTable table = table();
    return new ConvergeFilterTranslator(scan.getCluster().getRexBuilder(), table,
        allColumns(table.columns().size())).translate(filter.getCondition());
  }

  private ConvergeCondition condition(ConvergeFilterTranslator.Result r) {
    return new ConvergeCondition(r.predicate(), r.ids(), r.text(),
        ConvergeStatistics.estimate(table(), r.predicate(), r.ids()));
  }

  /**
   * The Converge access path with the residual filter and the project above it, or null when
   * there is nothing to gain (no filter conjunct translated and no column pruned).
   * {@code allowResidual} false: null unless the whole filter translated.
   */
  RelNode access(RelBuilder builder, boolean allowResidual) {
    ConvergeTable table = table();
    int width = table.columns().size();
    ConvergeFilterTranslator.Result r = null;
    List<RexNode> residual = List.of();
    if (filter != null) {
      if (!filter.getVariablesSet().isEmpty()) {
        return null; // a correlated filter stays as it is
      }
      r = translate();
      if (!r.translatedSomething()) {
        return null;
      }
      residual = r.residual();
      if (!allowResidual && !residual.isEmpty()) {
        return null;
      }
    }
    ImmutableBitSet used = project == null ? ImmutableBitSet.range(width)
        : RelOptUtil.InputFinder.bits(project.getProjects(), null)
            .union(RelOptUtil.InputFinder.bits(residual, null));
    if (filter == null && used.cardinality() == width) {
      return null; // the table scan rule does this one
    }
    int[] columns = used.isEmpty() ? new int[] {0} : used.toArray();
    RelTraitSet traits = scan.getTraitSet().replace(ConvergeRel.CONVENTION);
    ConvergeRowAccess access;
    if (r == null) {
      access = new ConvergeTableScan(scan.getCluster(), traits, scan.getTable(), table, columns);
    } else if (r.ids() != null) {
      access = new ConvergeRowLookup(scan.getCluster(), traits, scan.getTable(), table, columns,
          condition(r));
    } else {
      access = new ConvergeIndexFilter(scan.getCluster(), traits, scan.getTable(), table, columns,
          condition(r));
    }
    builder.push(access);
    if (!residual.isEmpty()) {
      builder.filter(remap(residual, columns, width));
    }
    if (project != null) {
      builder.project(remap(project.getProjects(), columns, width),
          project.getRowType().getFieldNames());
    }
    return builder.build();
  }

  /** {@code 0 .. width - 1}: every column of a table. */
  static int[] allColumns(int width) {
    int[] all = new int[width];
    for (int i = 0; i < width; i++) {
      all[i] = i;
    }
    return all;
  }

  /** {@code exprs} over the table's columns, rewritten over a row of {@code columns}. */
  static List<RexNode> remap(List<RexNode> exprs, int[] columns, int width) {
    int[] newIndex = new int[width];
    for (int i = 0; i < columns.length; i++) {
      newIndex[columns[i]] = i;
    }
    RexShuttle shuttle = new RexShuttle() {
      @Override
      public RexNode visitInputRef(RexInputRef ref) {
        return new RexInputRef(newIndex[ref.getIndex()], ref.getType());
      }
    };
    List<RexNode> out = new ArrayList<>();
    for (RexNode e : exprs) {
      out.add(e.accept(shuttle));
    }
    return out;
  }
}
