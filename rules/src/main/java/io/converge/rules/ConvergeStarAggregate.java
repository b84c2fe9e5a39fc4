package io.converge.rules;

import io.converge.adapter.ConvergeColumnCapabilities;
import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeColumnType;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.query.Aggregation;
import io.converge.storage.query.DimensionJoin;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableAggregate;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableProject;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.function.Function0;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.InvalidRelException;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * An aggregate over a star join ({@link ConvergeHashJoin}) folded by the storage layer: instead of
 * building one joined row per fact row and aggregating those in Calcite, the dimensions' rows
 * (filtered by Calcite) are read first, their keys indexed and the attributes grouped by encoded,
 * and the fact table's column segments are folded once, each fact row's foreign keys looked up in
 * those indexes ({@link io.converge.storage.query.DimensionJoin}). No joined row is built.
 *
 * <p>It applies when, in the final plan, its input is the top join of a star (through a calc that
 * only picks columns or computes {@code a op b} of two fact columns), each dimension is joined on
 * one BIGINT key, the aggregates are COUNT / SUM / $SUM0 / MIN / MAX of fact columns (or of such
 * an arithmetic) and the groups are keyed by fact columns or dimension columns. Otherwise, and
 * when a dimension turns out to hold a key twice or values of other types, it runs as Calcite's
 * {@link EnumerableAggregate} over the join. EXPLAIN shows {@code star=[...]} when it applies.
 */
public class ConvergeStarAggregate extends EnumerableAggregate {
  public ConvergeStarAggregate(RelOptCluster cluster, RelTraitSet traitSet, RelNode input,
      ImmutableBitSet groupSet, List<ImmutableBitSet> groupSets, List<AggregateCall> aggCalls)
      throws InvalidRelException {
    super(cluster, traitSet, input, groupSet, groupSets, aggCalls);
  }

  /** The same aggregate as {@code aggregate}, folded in storage when its input is a star. */
  static ConvergeStarAggregate of(EnumerableAggregate aggregate) throws InvalidRelException {
    return new ConvergeStarAggregate(aggregate.getCluster(), aggregate.getTraitSet(),
        aggregate.getInput(), aggregate.getGroupSet(), aggregate.getGroupSets(),
        aggregate.getAggCallList());
  }

  @Override
  public EnumerableAggregate copy(RelTraitSet traitSet, RelNode input, ImmutableBitSet groupSet,
      List<ImmutableBitSet> groupSets, List<AggregateCall> aggCalls) {
    try {
      return new ConvergeStarAggregate(getCluster(), traitSet, input, groupSet, groupSets,
          aggCalls);
    } catch (InvalidRelException e) {
      throw new AssertionError(e);
    }
  }

  /** Cheaper than Calcite's aggregate over the same input: no joined rows are built. */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    RelOptCost cost = super.computeSelfCost(planner, mq);
    return cost == null ? null : cost.multiplyBy(0.5);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    RelWriter w = super.explainTerms(pw);
    Plan plan = Plan.of(this);
    return plan == null ? w : w.item("star", plan.describe());
  }

  @Override
  public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    Plan plan = Plan.of(this);
    Result calcite = super.implement(implementor, pref);
    if (plan == null) {
      return calcite;
    }
    // Calcite's aggregate over the join, for a dimension that breaks the star's assumptions.
    BlockBuilder fallback = new BlockBuilder();
    Expression rows = fallback.append("rows", calcite.block);
    fallback.add(Expressions.return_(null,
        calcite.physType.convertTo(rows, JavaRowFormat.ARRAY)));

    BlockBuilder block = new BlockBuilder();
    List<Expression> dims = plan.star.dimensions(implementor, block);
    Expression spec = implementor.stash(plan.spec, ConvergeStarAggregation.Spec.class);
    Expression call = Expressions.call(ConvergeStarAggregation.AGGREGATE, DataContext.ROOT, spec,
        Expressions.newArrayInit(Enumerable.class, dims),
        Expressions.lambda(Function0.class, fallback.toBlock()));
    block.add(Expressions.return_(null, block.append("aggregated", call)));
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(),
        JavaRowFormat.ARRAY, false);
    return implementor.result(physType, block.toBlock());
  }

  /** What an aggregate over a star becomes, or null (see the class comment). */
  static final class Plan {
    final ConvergeHashJoin.Star star;
    final ConvergeStarAggregation.Spec spec;
    private final String text;

    private Plan(ConvergeHashJoin.Star star, ConvergeStarAggregation.Spec spec, String text) {
      this.star = star;
      this.spec = spec;
      this.text = text;
    }

    String describe() {
      return text;
    }

    static Plan of(ConvergeStarAggregate agg) {
      if (agg.getGroupType() != Aggregate.Group.SIMPLE) {
        return null;
      }
      RelNode in = agg.getInput();
      List<RexNode> exprs = new ArrayList<>();
      ConvergeHashJoin top;
      if (in instanceof EnumerableCalc calc && calc.getInput() instanceof ConvergeHashJoin j) {
        RexProgram program = calc.getProgram();
        if (program.getCondition() != null) {
          return null;
        }
        for (var ref : program.getProjectList()) {
          exprs.add(program.expandLocalRef(ref));
        }
        top = j;
      } else if (in instanceof EnumerableProject project
          && project.getInput() instanceof ConvergeHashJoin j) {
        exprs.addAll(project.getProjects());
        top = j;
      } else if (in instanceof ConvergeHashJoin j) {
        for (int i = 0; i < j.getRowType().getFieldCount(); i++) {
          exprs.add(new RexInputRef(i, j.getRowType().getFieldList().get(i).getType()));
        }
        top = j;
      } else {
        return null;
      }
      ConvergeHashJoin.Star star = ConvergeHashJoin.Star.of(top);
      if (star == null) {
        return null;
      }
      ConvergeTable table = star.fact.convergeTable();
      int[] factColumns = star.fact.columns();
      int factWidth = factColumns.length;
      int dimCount = star.joins.size();
      int[] dimStart = new int[dimCount];
      int[] dimKey = new int[dimCount];
      int at = factWidth;
      boolean[] reducible = star.reducible();
      for (int d = 0; d < dimCount; d++) {
        dimStart[d] = at;
        at += star.joins.get(d).getRight().getRowType().getFieldCount();
        if (star.factKeys[d].length != 1) {
          return null;
        }
        ConvergeColumn fk = table.columns().get(factColumns[star.factKeys[d][0]]);
        // integer keys whose stored values are all integers: the storage join sees the same keys
        if (fk.type() != ConvergeColumnType.BIGINT || !reducible[d]) {
          return null;
        }
        dimKey[d] = star.joins.get(d).analyzeCondition().rightKeys.get(0);
      }
      // Input columns of the aggregate as star-row positions (-1: computed).
      int[] position = new int[exprs.size()];
      for (int i = 0; i < position.length; i++) {
        position[i] = exprs.get(i) instanceof RexInputRef ref ? star.output[ref.getIndex()] : -1;
      }
      List<String> factGroup = new ArrayList<>();
      List<ConvergeQuery.AggregateOutput> factGroupOutputs = new ArrayList<>();
      List<List<Integer>> attributes = new ArrayList<>();
      for (int d = 0; d < dimCount; d++) {
        attributes.add(new ArrayList<>());
      }
      List<DimensionJoin.Key> dimKeys = new ArrayList<>();
      // Per group key, in the aggregate's order: fact key i as i, dimension key i as -1 - i.
      List<Integer> groupOrder = new ArrayList<>();
      List<String> keyTexts = new ArrayList<>();
      List<String> starNames = new ArrayList<>(star.fact.getRowType().getFieldNames());
      for (ConvergeHashJoin j : star.joins) {
        starNames.addAll(j.getRight().getRowType().getFieldNames());
      }
      for (int key : agg.getGroupSet()) {
        int pos = position[key];
        if (pos < 0) {
          return null;
        }
        if (pos < factWidth) {
          ConvergeColumn c = table.columns().get(factColumns[pos]);
          if (!ConvergeColumnCapabilities.groupable(table, c)) {
            return null;
          }
          groupOrder.add(factGroup.size());
          factGroup.add(c.path());
          factGroupOutputs.add(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.VALUE,
              c));
        } else {
          int d = dimCount - 1;
          while (dimStart[d] > pos) {
            d--;
          }
          int column = pos - dimStart[d];
          SqlTypeName type = star.joins.get(d).getRight().getRowType().getFieldList().get(column)
              .getType().getSqlTypeName();
          if (type != SqlTypeName.BIGINT && type != SqlTypeName.VARCHAR
              && type != SqlTypeName.CHAR && type != SqlTypeName.DOUBLE
              && type != SqlTypeName.BOOLEAN) {
            return null;
          }
          List<Integer> attrs = attributes.get(d);
          int a = attrs.indexOf(column);
          if (a < 0) {
            a = attrs.size();
            attrs.add(column);
          }
          groupOrder.add(-1 - dimKeys.size());
          dimKeys.add(new DimensionJoin.Key(d, a));
        }
        keyTexts.add(starNames.get(pos));
      }
      // Calls: over fact columns, or `a op b` of two of them.
      ConvergeAggregateCalls calls = new ConvergeAggregateCalls(table);
      for (AggregateCall ac : agg.getAggCallList()) {
        if (!ConvergeAggregateCalls.plain(ac) || ac.isDistinct()) {
          return null;
        }
        if (ac.getArgList().isEmpty()) {
          if (!calls.add(ac, null)) {
            return null;
          }
          continue;
        }
        int slot = ac.getArgList().get(0);
        int pos = position[slot];
        if (pos < 0) {
          RexNode onTable = toTableColumns(exprs.get(slot), star.output, factColumns);
          Aggregation.Arithmetic a = onTable == null ? null
              : ConvergeAggregateCalls.arithmetic(table, onTable);
          if (a == null || !calls.addComputed(ac, a, onTable)) {
            return null;
          }
          continue;
        }
        if (pos >= factWidth) {
          return null; // an aggregate of a dimension column: Calcite's
        }
        if (!calls.add(ac, table.columns().get(factColumns[pos]))) {
          return null;
        }
      }
      ConvergeStarJoin.Spec join = star.spec();
      int[][] attributeColumns = new int[dimCount][];
      int[] dimKeyColumns = new int[dimCount];
      String[] factPaths = new String[dimCount];
      for (int d = 0; d < dimCount; d++) {
        attributeColumns[d] = attributes.get(d).stream().mapToInt(Integer::intValue).toArray();
        dimKeyColumns[d] = dimKey[d];
        factPaths[d] = table.columns().get(factColumns[star.factKeys[d][0]]).path();
      }
      ConvergeStarAggregation.Spec spec = new ConvergeStarAggregation.Spec(join, factPaths,
          dimKeyColumns, attributeColumns, factGroup, calls.calls(), dimKeys,
          groupOrder.stream().mapToInt(Integer::intValue).toArray(), factGroupOutputs,
          calls.outputs());
      String text = "folded in storage: " + star.describe() + "; group "
          + keyTexts + ", " + String.join(", ", calls.texts());
      return new Plan(star, spec, text);
    }

    /**
     * {@code e} over the top join's columns, rewritten over the fact table's columns (the
     * indexes {@link ConvergeAggregateCalls#arithmetic} reads), or null when it reads a dimension.
     */
    private static RexNode toTableColumns(RexNode e, int[] output, int[] factColumns) {
      boolean[] ok = {true};
      RexNode out = e.accept(new RexShuttle() {
        @Override
        public RexNode visitInputRef(RexInputRef ref) {
          int pos = output[ref.getIndex()];
          if (pos >= factColumns.length) {
            ok[0] = false;
            return ref;
          }
          return new RexInputRef(factColumns[pos], ref.getType());
        }
      });
      return ok[0] ? out : null;
    }
  }
}
