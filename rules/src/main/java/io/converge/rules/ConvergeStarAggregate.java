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
      // 1. The join under the aggregate, and the aggregate's input expressions over its columns.
      List<RexNode> exprs = new ArrayList<>();
      ConvergeHashJoin top = topJoin(agg.getInput(), exprs);
      ConvergeHashJoin.Star star = top == null ? null : ConvergeHashJoin.Star.of(top);
      if (star == null) {
        return null;
      }
      // 2. Each dimension joined on one integer key.
      Dimensions dims = Dimensions.of(star);
      if (dims == null) {
        return null;
      }
      // Input columns of the aggregate as star-row positions (-1: computed).
      int[] position = new int[exprs.size()];
      for (int i = 0; i < position.length; i++) {
        position[i] = exprs.get(i) instanceof RexInputRef ref ? star.output[ref.getIndex()] : -1;
      }
      // 3. Group keys: groupable fact columns, or dimension attributes.
      Groups groups = new Groups(star, dims);
      for (int key : agg.getGroupSet()) {
        if (!groups.add(position[key])) {
          return null;
        }
      }
      // 4. Calls: over fact columns, or `a op b` of two of them.
      ConvergeAggregateCalls calls = calls(agg, star, exprs, position);
      if (calls == null) {
        return null;
      }
      // 5. What storage folds, and its EXPLAIN text.
      String text = "folded in storage: " + star.describe() + "; group "
          + groups.keyTexts + ", " + String.join(", ", calls.texts());
      return new Plan(star, spec(star, dims, groups, calls), text);
    }

    /**
     * The star's top join under an aggregate input that is the join, or a project or a calc
     * without condition over it, with the input's expressions over the join's columns added to
     * {@code exprs}; else null.
     */
    private static ConvergeHashJoin topJoin(RelNode in, List<RexNode> exprs) {
      if (in instanceof EnumerableCalc calc && calc.getInput() instanceof ConvergeHashJoin j) {
        RexProgram program = calc.getProgram();
        if (program.getCondition() != null) {
          return null;
        }
        for (var ref : program.getProjectList()) {
          exprs.add(program.expandLocalRef(ref));
        }
        return j;
      }
      if (in instanceof EnumerableProject project
          && project.getInput() instanceof ConvergeHashJoin j) {
        exprs.addAll(project.getProjects());
        return j;
      }
      if (in instanceof ConvergeHashJoin j) {
        for (int i = 0; i < j.getRowType().getFieldCount(); i++) {
          exprs.add(new RexInputRef(i, j.getRowType().getFieldList().get(i).getType()));
        }
        return j;
      }
      return null;
    }

    /**
     * Where each dimension's columns start in the star row, and the dimension column each one
     * is joined on.
     */
    private record Dimensions(int[] start, int[] key) {
      /**
       * Null unless every dimension is joined on one fact column of BIGINT type whose stored
       * values are all integers (so that the storage join sees the same keys).
       */
      static Dimensions of(ConvergeHashJoin.Star star) {
        ConvergeTable table = star.fact.convergeTable();
        int[] factColumns = star.fact.columns();
        int dimCount = star.joins.size();
        int[] start = new int[dimCount];
        int[] key = new int[dimCount];
        int at = factColumns.length;
        boolean[] reducible = star.reducible();
        for (int d = 0; d < dimCount; d++) {
          start[d] = at;
          at += star.joins.get(d).getRight().getRowType().getFieldCount();
          if (star.factKeys[d].length != 1) {
            return null;
          }
          ConvergeColumn fk = table.columns().get(factColumns[star.factKeys[d][0]]);
          if (fk.type() != ConvergeColumnType.BIGINT || !reducible[d]) {
            return null;
          }
          key[d] = star.joins.get(d).analyzeCondition().rightKeys.get(0);
        }
        return new Dimensions(start, key);
      }

      /** The dimension a star-row position past the fact columns belongs to. */
      int of(int pos) {
        int d = start.length - 1;
        while (start[d] > pos) {
          d--;
        }
        return d;
      }
    }

    /** The group keys, fact columns grouped in storage and dimension attributes. */
    private static final class Groups {
      private final ConvergeHashJoin.Star star;
      private final Dimensions dims;
      private final List<String> starNames;
      final List<String> factGroup = new ArrayList<>();
      final List<ConvergeQuery.AggregateOutput> factGroupOutputs = new ArrayList<>();
      /** Per dimension, the columns read as attributes. */
      final List<List<Integer>> attributes = new ArrayList<>();
      final List<DimensionJoin.Key> dimKeys = new ArrayList<>();
      /** Per group key, in the aggregate's order: fact key i as i, dimension key i as -1 - i. */
      final List<Integer> groupOrder = new ArrayList<>();
      final List<String> keyTexts = new ArrayList<>();

      Groups(ConvergeHashJoin.Star star, Dimensions dims) {
        this.star = star;
        this.dims = dims;
        for (int d = 0; d < star.joins.size(); d++) {
          attributes.add(new ArrayList<>());
        }
        starNames = new ArrayList<>(star.fact.getRowType().getFieldNames());
        for (ConvergeHashJoin j : star.joins) {
          starNames.addAll(j.getRight().getRowType().getFieldNames());
        }
      }

      /** Adds the group key at a star-row position; false when storage cannot group by it. */
      boolean add(int pos) {
        if (pos < 0) {
          return false;
        }
        ConvergeTable table = star.fact.convergeTable();
        int[] factColumns = star.fact.columns();
        if (pos < factColumns.length) {
          ConvergeColumn c = table.columns().get(factColumns[pos]);
          if (!ConvergeColumnCapabilities.groupable(table, c)) {
            return false;
          }
          groupOrder.add(factGroup.size());
          factGroup.add(c.path());
          factGroupOutputs.add(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.VALUE,
              c));
        } else {
          int d = dims.of(pos);
          int column = pos - dims.start()[d];
          SqlTypeName type = star.joins.get(d).getRight().getRowType().getFieldList().get(column)
              .getType().getSqlTypeName();
          if (type != SqlTypeName.BIGINT && type != SqlTypeName.VARCHAR
              && type != SqlTypeName.CHAR && type != SqlTypeName.DOUBLE
              && type != SqlTypeName.BOOLEAN) {
            return false;
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
        return true;
      }
    }

    /** The aggregate's calls in storage, over fact columns only, or null. */
    private static ConvergeAggregateCalls calls(ConvergeStarAggregate agg,
        ConvergeHashJoin.Star star, List<RexNode> exprs, int[] position) {
      ConvergeTable table = star.fact.convergeTable();
      int[] factColumns = star.fact.columns();
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
        if (pos >= factColumns.length) {
          return null; // an aggregate of a dimension column: Calcite's
        }
        if (!calls.add(ac, table.columns().get(factColumns[pos]))) {
          return null;
        }
      }
      return calls;
    }

    private static ConvergeStarAggregation.Spec spec(ConvergeHashJoin.Star star,
        Dimensions dims, Groups groups, ConvergeAggregateCalls calls) {
      ConvergeTable table = star.fact.convergeTable();
      int dimCount = star.joins.size();
      int[][] attributeColumns = new int[dimCount][];
      String[] factPaths = new String[dimCount];
      for (int d = 0; d < dimCount; d++) {
        attributeColumns[d] = groups.attributes.get(d).stream().mapToInt(Integer::intValue)
            .toArray();
        factPaths[d] = table.columns().get(star.fact.columns()[star.factKeys[d][0]]).path();
      }
      return new ConvergeStarAggregation.Spec(star.spec(), factPaths, dims.key().clone(),
          attributeColumns, groups.factGroup, calls.calls(), groups.dimKeys,
          groups.groupOrder.stream().mapToInt(Integer::intValue).toArray(),
          groups.factGroupOutputs, calls.outputs());
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
