package io.converge.rules;

import io.converge.adapter.ConvergeColumnCapabilities;
import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.query.Aggregation;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableAggregate;
import org.apache.calcite.adapter.enumerable.EnumerableProject;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableRules;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.util.ImmutableBitSet;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.tools.RelBuilder;

/**
 * Converge's planner rules, and the list {@link #RULES} the adapter registers (through
 * {@link ConvergeRulesProvider}) when push-down is on.
 *
 * <ul>
 *   <li>{@link #TABLE_SCAN}: a logical scan of a Converge table becomes a
 *       {@link ConvergeTableScan} of every column;
 *   <li>{@link #PROJECT}, {@link #FILTER}, {@link #PROJECT_FILTER} ({@link ConvergeAccessRule}):
 *       {@code [Project] [Filter] TableScan} becomes one access path reading only the used
 *       columns: a {@link ConvergeIndexFilter} of the translatable conjuncts (or a
 *       {@link ConvergeRowLookup} for {@code _id} equalities), with a Calcite filter of the rest
 *       above, or a pruned {@link ConvergeTableScan} without a filter;
 *   <li>{@link #AGGREGATE}, {@link #AGGREGATE_PROJECT}, {@link #AGGREGATE_FILTER},
 *       {@link #AGGREGATE_PROJECT_FILTER} ({@link ConvergeAggregateRule}): an aggregate over such a
 *       pattern, when the whole filter translates, becomes a {@link ConvergeAggregate};
 *   <li>{@link #LIMIT}, {@link #LIMIT_PROJECT}, {@link #LIMIT_FILTER},
 *       {@link #LIMIT_PROJECT_FILTER} ({@link ConvergeLimitRule}): {@code [ORDER BY] LIMIT} over
 *       such a pattern, when the whole filter translates and the keys are sortable columns,
 *       becomes a {@link ConvergeLimit} (first rows, or top-N) under Calcite's sort;
 *   <li>{@link #HASH_JOIN} ({@link ConvergeHashJoinRule}): inner equi-joins become a
 *       {@link ConvergeHashJoin} (fact table probing, dimensions hashed; a star of them over a
 *       Converge fact access runs as one {@link ConvergeStarJoin}); Calcite's join and merge join
 *       rules ({@link #REPLACED}) are removed;
 *   <li>{@link #TO_ENUMERABLE}: the converter to Calcite's enumerable convention.
 * </ul>
 *
 * <p>The rules match logical patterns down to the logical scan, not Converge rels under logical
 * ones: a Volcano operand only sees the rels of its parent's input subset, whose convention is
 * NONE.
 *
 * <p>Which path wins is the planner's choice by cost; see each rel's {@code computeSelfCost}.
 */
public final class ConvergeRules {
  private ConvergeRules() {}

  private static final java.util.function.Predicate<LogicalTableScan> CONVERGE_TABLE =
      s -> s.getTable().unwrap(ConvergeTable.class) != null;

  public static final ConvergeTableScanRule TABLE_SCAN = (ConvergeTableScanRule)
      new ConvergeRuleConfig("ConvergeTableScanRule",
          b0 -> b0.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs(),
          RelFactories.LOGICAL_BUILDER, ConvergeTableScanRule::new).toRule();

  /** Project over a scan: read only the used columns. */
  public static final ConvergeAccessRule PROJECT = (ConvergeAccessRule)
      new ConvergeRuleConfig("ConvergeAccessRule:project",
          b0 -> b0.operand(LogicalProject.class).oneInput(b1 ->
              b1.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs()),
          RelFactories.LOGICAL_BUILDER, ConvergeAccessRule::new).toRule();

  /** Filter over a scan: index filter or row lookup of all columns. */
  public static final ConvergeAccessRule FILTER = (ConvergeAccessRule)
      new ConvergeRuleConfig("ConvergeAccessRule:filter",
          b0 -> b0.operand(LogicalFilter.class).oneInput(b1 ->
              b1.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs()),
          RelFactories.LOGICAL_BUILDER, ConvergeAccessRule::new).toRule();

  /** Project over a filter over a scan: index filter or row lookup of the used columns. */
  public static final ConvergeAccessRule PROJECT_FILTER = (ConvergeAccessRule)
      new ConvergeRuleConfig("ConvergeAccessRule:project-filter",
          b0 -> b0.operand(LogicalProject.class).oneInput(b1 ->
              b1.operand(LogicalFilter.class).oneInput(b2 ->
                  b2.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs())),
          RelFactories.LOGICAL_BUILDER, ConvergeAccessRule::new).toRule();

  public static final ConvergeAggregateRule AGGREGATE = (ConvergeAggregateRule)
      new ConvergeRuleConfig("ConvergeAggregateRule",
          b0 -> b0.operand(LogicalAggregate.class).oneInput(b1 ->
              b1.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs()),
          RelFactories.LOGICAL_BUILDER, ConvergeAggregateRule::new).toRule();

  public static final ConvergeAggregateRule AGGREGATE_PROJECT = (ConvergeAggregateRule)
      new ConvergeRuleConfig("ConvergeAggregateRule:project",
          b0 -> b0.operand(LogicalAggregate.class).oneInput(b1 ->
              b1.operand(LogicalProject.class).oneInput(b2 ->
                  b2.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs())),
          RelFactories.LOGICAL_BUILDER, ConvergeAggregateRule::new).toRule();

  public static final ConvergeAggregateRule AGGREGATE_FILTER = (ConvergeAggregateRule)
      new ConvergeRuleConfig("ConvergeAggregateRule:filter",
          b0 -> b0.operand(LogicalAggregate.class).oneInput(b1 ->
              b1.operand(LogicalFilter.class).oneInput(b2 ->
                  b2.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs())),
          RelFactories.LOGICAL_BUILDER, ConvergeAggregateRule::new).toRule();

  public static final ConvergeAggregateRule AGGREGATE_PROJECT_FILTER = (ConvergeAggregateRule)
      new ConvergeRuleConfig("ConvergeAggregateRule:project-filter",
          b0 -> b0.operand(LogicalAggregate.class).oneInput(b1 ->
              b1.operand(LogicalProject.class).oneInput(b2 ->
                  b2.operand(LogicalFilter.class).oneInput(b3 ->
                      b3.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs()))),
          RelFactories.LOGICAL_BUILDER, ConvergeAggregateRule::new).toRule();

  private static final java.util.function.Predicate<LogicalSort> HAS_FETCH =
      s -> s.fetch instanceof RexLiteral && (s.offset == null || s.offset instanceof RexLiteral);

  /** {@code [ORDER BY ...] LIMIT} over a scan. */
  public static final ConvergeLimitRule LIMIT = (ConvergeLimitRule)
      new ConvergeRuleConfig("ConvergeLimitRule",
          b0 -> b0.operand(LogicalSort.class).predicate(HAS_FETCH).oneInput(b1 ->
              b1.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs()),
          RelFactories.LOGICAL_BUILDER, ConvergeLimitRule::new).toRule();

  public static final ConvergeLimitRule LIMIT_PROJECT = (ConvergeLimitRule)
      new ConvergeRuleConfig("ConvergeLimitRule:project",
          b0 -> b0.operand(LogicalSort.class).predicate(HAS_FETCH).oneInput(b1 ->
              b1.operand(LogicalProject.class).oneInput(b2 ->
                  b2.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs())),
          RelFactories.LOGICAL_BUILDER, ConvergeLimitRule::new).toRule();

  public static final ConvergeLimitRule LIMIT_FILTER = (ConvergeLimitRule)
      new ConvergeRuleConfig("ConvergeLimitRule:filter",
          b0 -> b0.operand(LogicalSort.class).predicate(HAS_FETCH).oneInput(b1 ->
              b1.operand(LogicalFilter.class).oneInput(b2 ->
                  b2.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs())),
          RelFactories.LOGICAL_BUILDER, ConvergeLimitRule::new).toRule();

  public static final ConvergeLimitRule LIMIT_PROJECT_FILTER = (ConvergeLimitRule)
      new ConvergeRuleConfig("ConvergeLimitRule:project-filter",
          b0 -> b0.operand(LogicalSort.class).predicate(HAS_FETCH).oneInput(b1 ->
              b1.operand(LogicalProject.class).oneInput(b2 ->
                  b2.operand(LogicalFilter.class).oneInput(b3 ->
                      b3.operand(LogicalTableScan.class).predicate(CONVERGE_TABLE).noInputs()))),
          RelFactories.LOGICAL_BUILDER, ConvergeLimitRule::new).toRule();

  public static final ConvergeToEnumerableConverterRule TO_ENUMERABLE =
      ConverterRule.Config.INSTANCE
          .withConversion(RelNode.class, ConvergeRel.CONVENTION, EnumerableConvention.INSTANCE,
              "ConvergeToEnumerableConverterRule")
          .withRuleFactory(ConvergeToEnumerableConverterRule::new)
          .toRule(ConvergeToEnumerableConverterRule.class);

  /**
   * Joins: inner equi-joins become a {@link ConvergeHashJoin}; the rest go to Calcite's
   * {@link EnumerableRules#ENUMERABLE_JOIN_RULE}, which this rule replaces (with the merge join
   * rule, see {@link #REPLACED}).
   */
  public static final ConvergeHashJoinRule HASH_JOIN =
      ConverterRule.Config.INSTANCE
          .withConversion(LogicalJoin.class, Convention.NONE, EnumerableConvention.INSTANCE,
              "ConvergeHashJoinRule")
          .withRuleFactory(ConvergeHashJoinRule::new)
          .toRule(ConvergeHashJoinRule.class);

  private static final java.util.function.Predicate<EnumerableAggregate> NOT_STAR_YET =
      a -> !(a instanceof ConvergeStarAggregate) && a.getGroupType() == Aggregate.Group.SIMPLE;

  /**
   * Aggregate over a {@link ConvergeHashJoin} (directly or through a calc) → the same aggregate
   * as a {@link ConvergeStarAggregate}, which folds it in storage when the join is a star.
   */
  public static final ConvergeStarAggregateRule STAR_AGGREGATE = (ConvergeStarAggregateRule)
      new ConvergeRuleConfig("ConvergeStarAggregateRule",
          b0 -> b0.operand(EnumerableAggregate.class).predicate(NOT_STAR_YET).oneInput(b1 ->
              b1.operand(ConvergeHashJoin.class).anyInputs()),
          RelFactories.LOGICAL_BUILDER, ConvergeStarAggregateRule::new).toRule();

  /** The same through a project (a calc once Calcite's last phase has merged it). */
  public static final ConvergeStarAggregateRule STAR_AGGREGATE_PROJECT = (ConvergeStarAggregateRule)
      new ConvergeRuleConfig("ConvergeStarAggregateRule:project",
          b0 -> b0.operand(EnumerableAggregate.class).predicate(NOT_STAR_YET).oneInput(b1 ->
              b1.operand(EnumerableProject.class).oneInput(b2 ->
                  b2.operand(ConvergeHashJoin.class).anyInputs())),
          RelFactories.LOGICAL_BUILDER, ConvergeStarAggregateRule::new).toRule();

  /** Every rule, in the order they are registered. AVG is reduced to SUM / COUNT by Calcite. */
  public static final List<RelOptRule> RULES = List.of(TABLE_SCAN, PROJECT, FILTER,
      PROJECT_FILTER, AGGREGATE, AGGREGATE_PROJECT, AGGREGATE_FILTER, AGGREGATE_PROJECT_FILTER,
      LIMIT, LIMIT_PROJECT, LIMIT_FILTER, LIMIT_PROJECT_FILTER, TO_ENUMERABLE,
      CoreRules.AGGREGATE_REDUCE_FUNCTIONS, HASH_JOIN, STAR_AGGREGATE, STAR_AGGREGATE_PROJECT);

  /**
   * Calcite's rules that the adapter removes when it registers {@link #RULES}: the enumerable
   * join rule ({@link #HASH_JOIN} does its work); the merge join rule, whose plans sort the
   * fact table of a star query (Converge's scans produce no useful order); and the rules that
   * push filters and projects into a {@code BindableTableScan} of the table, whose cost Calcite
   * divides by 100 although the adapter's scan leaves the filter to Calcite's interpreter (the
   * Converge access paths do that work).
   */
  public static final List<RelOptRule> REPLACED = List.of(EnumerableRules.ENUMERABLE_JOIN_RULE,
      EnumerableRules.ENUMERABLE_MERGE_JOIN_RULE, CoreRules.FILTER_SCAN,
      CoreRules.FILTER_INTERPRETER_SCAN, CoreRules.PROJECT_TABLE_SCAN,
      CoreRules.PROJECT_INTERPRETER_TABLE_SCAN);

  /**
   * Logical join → {@link ConvergeHashJoin} when {@link ConvergeHashJoin#accepts} it, else what
   * Calcite's enumerable join rule makes of it (hash join of other kinds, nested loops).
   */
  public static final class ConvergeHashJoinRule extends ConverterRule {
    ConvergeHashJoinRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalJoin join = (LogicalJoin) rel;
      if (!ConvergeHashJoin.accepts(join.getJoinType(), join.analyzeCondition(),
          join.getLeft().getRowType(), join.getRight().getRowType())) {
        return ((ConverterRule) EnumerableRules.ENUMERABLE_JOIN_RULE).convert(rel);
      }
      List<RelNode> inputs = new ArrayList<>(2);
      for (RelNode input : join.getInputs()) {
        inputs.add(convert(input, input.getTraitSet().replace(EnumerableConvention.INSTANCE)));
      }
      return ConvergeHashJoin.create(inputs.get(0), inputs.get(1), join.getCondition(),
          join.getVariablesSet());
    }
  }

  /** See {@link #STAR_AGGREGATE}. */
  public static final class ConvergeStarAggregateRule extends RelRule<ConvergeRuleConfig> {
    ConvergeStarAggregateRule(ConvergeRuleConfig config) {
      super(config);
    }

    @Override
    public void onMatch(RelOptRuleCall call) {
      try {
        call.transformTo(ConvergeStarAggregate.of(call.rel(0)));
      } catch (org.apache.calcite.rel.InvalidRelException e) {
        // not an aggregate Calcite's enumerable one accepts: leave it
      }
    }
  }

  /** Logical scan of a Converge table → {@link ConvergeTableScan} of all columns. */
  public static final class ConvergeTableScanRule extends RelRule<ConvergeRuleConfig> {
    ConvergeTableScanRule(ConvergeRuleConfig config) {
      super(config);
    }

    @Override
    public void onMatch(RelOptRuleCall call) {
      LogicalTableScan scan = call.rel(0);
      ConvergeTable table = scan.getTable().unwrap(ConvergeTable.class);
      int[] all = new int[table.columns().size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      call.transformTo(new ConvergeTableScan(scan.getCluster(),
          scan.getTraitSet().replace(ConvergeRel.CONVENTION), scan.getTable(), table, all));
    }
  }

  /**
   * The rows under a {@code [Project] [Filter] TableScan} pattern as one Converge access path:
   * the filter's translatable conjuncts go to an index filter or row lookup, the rest stays in a
   * Calcite filter above; only the columns the project and that filter use are read.
   */
  public static final class ConvergeAccessRule extends RelRule<ConvergeRuleConfig> {
    ConvergeAccessRule(ConvergeRuleConfig config) {
      super(config);
    }

    @Override
    public void onMatch(RelOptRuleCall call) {
      Pattern p = Pattern.of(call, 0);
      RelNode access = p.access(call.builder(), true);
      if (access != null) {
        call.transformTo(access);
      }
    }
  }

  /** A matched {@code [Project] [Filter] TableScan}. */
  record Pattern(LogicalProject project, LogicalFilter filter, LogicalTableScan scan) {
    static Pattern of(RelOptRuleCall call, int first) {
      LogicalProject project = null;
      LogicalFilter filter = null;
      LogicalTableScan scan = null;
      for (int i = first; i < call.rels.length; i++) {
        RelNode r = call.rel(i);
        if (r instanceof LogicalProject p) {
          project = p;
        } else if (r instanceof LogicalFilter f) {
          filter = f;
        } else if (r instanceof LogicalTableScan s) {
          scan = s;
        }
      }
      return new Pattern(project, filter, scan);
    }

    /** The filter as one Converge condition when all of it translates, else null. */
    ConvergeCondition wholeCondition() {
      if (filter == null || !filter.getVariablesSet().isEmpty()) {
        return null;
      }
      ConvergeTable table = scan.getTable().unwrap(ConvergeTable.class);
      int[] all = new int[table.columns().size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      ConvergeFilterTranslator.Result r = new ConvergeFilterTranslator(
          scan.getCluster().getRexBuilder(), table, all).translate(filter.getCondition());
      if (!r.translatedSomething() || !r.residual().isEmpty()) {
        return null;
      }
      return new ConvergeCondition(r.predicate(), r.ids(), r.text(),
          ConvergeStatistics.estimate(table, r.predicate(), r.ids()));
    }

    /**
     * The Converge access path with the residual filter and the project above it, or null when
     * there is nothing to gain (no filter conjunct translated and no column pruned).
     * {@code allowResidual} false: null unless the whole filter translated.
     */
    RelNode access(RelBuilder builder, boolean allowResidual) {
      ConvergeTable table = scan.getTable().unwrap(ConvergeTable.class);
      int width = table.columns().size();
      ConvergeFilterTranslator.Result r = null;
      List<RexNode> residual = List.of();
      if (filter != null) {
        if (!filter.getVariablesSet().isEmpty()) {
          return null; // a correlated filter stays as it is
        }
        int[] all = new int[width];
        for (int i = 0; i < width; i++) {
          all[i] = i;
        }
        r = new ConvergeFilterTranslator(scan.getCluster().getRexBuilder(), table, all)
            .translate(filter.getCondition());
        if (!r.translatedSomething()) {
          return null;
        }
        residual = r.residual();
        if (!allowResidual && !residual.isEmpty()) {
          return null;
        }
      }
      ImmutableBitSet used;
      if (project != null) {
        used = RelOptUtil.InputFinder.bits(project.getProjects(), null)
            .union(RelOptUtil.InputFinder.bits(residual, null));
      } else {
        used = ImmutableBitSet.range(width);
      }
      if (filter == null && used.cardinality() == width) {
        return null; // TABLE_SCAN does this one
      }
      int[] columns = used.isEmpty() ? new int[] {0} : used.toArray();
      int[] newIndex = new int[width];
      for (int i = 0; i < columns.length; i++) {
        newIndex[columns[i]] = i;
      }
      RelTraitSet traits = scan.getTraitSet().replace(ConvergeRel.CONVENTION);
      ConvergeRowAccess access;
      if (r == null) {
        access = new ConvergeTableScan(scan.getCluster(), traits, scan.getTable(), table, columns);
      } else {
        ConvergeCondition condition = new ConvergeCondition(r.predicate(), r.ids(), r.text(),
            ConvergeStatistics.estimate(table, r.predicate(), r.ids()));
        access = r.ids() != null
            ? new ConvergeRowLookup(scan.getCluster(), traits, scan.getTable(), table, columns,
                condition)
            : new ConvergeIndexFilter(scan.getCluster(), traits, scan.getTable(), table, columns,
                condition);
      }
      RexShuttle remap = new RexShuttle() {
        @Override
        public RexNode visitInputRef(RexInputRef ref) {
          return new RexInputRef(newIndex[ref.getIndex()], ref.getType());
        }
      };
      builder.push(access);
      if (!residual.isEmpty()) {
        List<RexNode> conds = new ArrayList<>();
        for (RexNode e : residual) {
          conds.add(e.accept(remap));
        }
        builder.filter(conds);
      }
      if (project != null) {
        List<RexNode> exprs = new ArrayList<>();
        for (RexNode e : project.getProjects()) {
          exprs.add(e.accept(remap));
        }
        builder.project(exprs, project.getRowType().getFieldNames());
      }
      return builder.build();
    }
  }

  /** Aggregate over a row access (optionally through a project of columns) → column aggregate. */
  public static final class ConvergeAggregateRule extends RelRule<ConvergeRuleConfig> {
    ConvergeAggregateRule(ConvergeRuleConfig config) {
      super(config);
    }

    @Override
    public void onMatch(RelOptRuleCall call) {
      Aggregate aggregate = call.rel(0);
      Pattern p = Pattern.of(call, 1);
      ConvergeTable table = p.scan().getTable().unwrap(ConvergeTable.class);
      ConvergeCondition condition = null;
      if (p.filter() != null) {
        condition = p.wholeCondition();
        if (condition == null) {
          return;
        }
      }
      int[] inputColumns;
      // Project slots that compute `a op b` of two numeric columns (SUM(price * discount)).
      Aggregation.Arithmetic[] computed = null;
      if (p.project() != null) {
        inputColumns = new int[p.project().getProjects().size()];
        computed = new Aggregation.Arithmetic[inputColumns.length];
        for (int i = 0; i < inputColumns.length; i++) {
          org.apache.calcite.rex.RexNode e = p.project().getProjects().get(i);
          if (e instanceof RexInputRef ref) {
            inputColumns[i] = ref.getIndex();
          } else {
            computed[i] = ConvergeAggregateCalls.arithmetic(table, e);
            if (computed[i] == null) {
              return;
            }
            inputColumns[i] = -1;
          }
        }
      } else {
        inputColumns = new int[table.columns().size()];
        for (int i = 0; i < inputColumns.length; i++) {
          inputColumns[i] = i;
        }
      }
      if (aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
        return;
      }
      List<String> groupBy = new ArrayList<>();
      List<ConvergeQuery.AggregateOutput> outputs = new ArrayList<>();
      for (int key : aggregate.getGroupSet()) {
        if (inputColumns[key] < 0) {
          return; // grouping by a computed value stays in Calcite
        }
        ConvergeColumn c = table.columns().get(inputColumns[key]);
        if (!ConvergeColumnCapabilities.groupable(table, c)) {
          return;
        }
        groupBy.add(c.path());
        outputs.add(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.VALUE, c));
      }
      ConvergeAggregateCalls calls = new ConvergeAggregateCalls(table);
      for (AggregateCall ac : aggregate.getAggCallList()) {
        if (!ConvergeAggregateCalls.plain(ac)) {
          return;
        }
        int slot = ac.getArgList().isEmpty() ? -1 : ac.getArgList().get(0);
        boolean ok = slot >= 0 && inputColumns[slot] < 0
            ? calls.addComputed(ac, computed[slot], p.project().getProjects().get(slot))
            : calls.add(ac, slot < 0 ? null : table.columns().get(inputColumns[slot]));
        if (!ok) {
          return;
        }
      }
      outputs.addAll(calls.outputs());
      call.transformTo(new ConvergeAggregate(aggregate.getCluster(),
          aggregate.getTraitSet().replace(ConvergeRel.CONVENTION), p.scan().getTable(), table,
          condition, new Aggregation(groupBy, calls.calls()), outputs, aggregate.getRowType(),
          String.join(", ", calls.texts())));
    }
  }

  /**
   * {@code [ORDER BY keys] LIMIT n [OFFSET m]} over {@code [Project] [Filter] TableScan} →
   * a {@link ConvergeLimit} of {@code n + m} rows under the same Calcite sort, when the whole
   * filter translates and every key is a column whose values storage orders as Calcite does
   * ({@link ConvergeColumnCapabilities#sortOrder}).
   */
  public static final class ConvergeLimitRule extends RelRule<ConvergeRuleConfig> {
    /** Limits above this stay in Calcite (the selector keeps its candidates in memory). */
    static final long MAX_LIMIT = 1_000_000L;

    ConvergeLimitRule(ConvergeRuleConfig config) {
      super(config);
    }

    @Override
    public void onMatch(RelOptRuleCall call) {
      LogicalSort sort = call.rel(0);
      Pattern p = Pattern.of(call, 1);
      long limit;
      try {
        limit = ((RexLiteral) sort.fetch).getValueAs(java.math.BigDecimal.class).longValueExact();
        if (sort.offset != null) {
          limit += ((RexLiteral) sort.offset).getValueAs(java.math.BigDecimal.class)
              .longValueExact();
        }
      } catch (ArithmeticException | NullPointerException e) {
        return;
      }
      if (limit < 0 || limit > MAX_LIMIT) {
        return;
      }
      ConvergeTable table = p.scan().getTable().unwrap(ConvergeTable.class);
      int width = table.columns().size();
      ConvergeCondition condition = null;
      if (p.filter() != null) {
        condition = p.wholeCondition();
        if (condition == null) {
          return;
        }
      }
      List<ConvergeLimit.SortKey> keys = new ArrayList<>();
      for (RelFieldCollation fc : sort.getCollation().getFieldCollations()) {
        int column = fc.getFieldIndex();
        if (p.project() != null) {
          if (!(p.project().getProjects().get(column) instanceof RexInputRef ref)) {
            return;
          }
          column = ref.getIndex();
        }
        if (ConvergeColumnCapabilities.sortOrder(table, table.columns().get(column)) == null) {
          return;
        }
        RelFieldCollation.NullDirection nulls =
            fc.nullDirection == RelFieldCollation.NullDirection.UNSPECIFIED
                ? fc.direction.defaultNullDirection() : fc.nullDirection;
        keys.add(new ConvergeLimit.SortKey(column, fc.direction.isDescending(),
            nulls == RelFieldCollation.NullDirection.FIRST));
      }
      ImmutableBitSet used = p.project() == null ? ImmutableBitSet.range(width)
          : RelOptUtil.InputFinder.bits(p.project().getProjects(), null);
      int[] columns = used.isEmpty() ? new int[] {0} : used.toArray();
      RelNode access = new ConvergeLimit(sort.getCluster(),
          p.scan().getTraitSet().replace(ConvergeRel.CONVENTION), p.scan().getTable(), table,
          columns, condition, keys, limit);
      RelBuilder builder = call.builder().push(access);
      if (p.project() != null) {
        builder.project(remap(p.project().getProjects(), columns, width),
            p.project().getRowType().getFieldNames());
      }
      call.transformTo(sort.copy(sort.getTraitSet(), builder.build(), sort.getCollation(),
          sort.offset, sort.fetch));
    }
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

  /** Converter from the Converge convention to the enumerable one. */
  public static final class ConvergeToEnumerableConverterRule extends ConverterRule {
    ConvergeToEnumerableConverterRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      return new ConvergeToEnumerableConverter(rel.getCluster(),
          rel.getTraitSet().replace(getOutConvention()), rel);
    }
  }
}
