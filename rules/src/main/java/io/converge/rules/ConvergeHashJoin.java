package io.converge.rules;

import io.converge.adapter.ConvergeColumnCapabilities;
import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeColumnType;
import io.converge.storage.CollectionSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableHashJoin;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.CorrelationId;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;

/**
 * Inner equi-join that hashes its right input (the build side) and streams its left input (the
 * probe side), costed that way: Calcite's {@link EnumerableHashJoin} builds its hash table on the
 * right input too, but its cost favours a small left input, which puts a star query's fact table
 * on the build side; and its merge join sorts the fact table. With this join the planner keeps
 * the fact table on the left and the (filtered) dimensions on the right.
 *
 * <p><b>Star join</b>: when the left spine of a tree of these joins ends at a Converge row access
 * of one table (the fact table) and every join's left keys are columns of that table, the whole
 * tree runs as one {@link ConvergeStarJoin}: the dimensions are hashed first, then the fact
 * table's rows (those of its access path's predicate) are read once, each row's foreign keys
 * probed in all the hash tables, the smallest first, and the other columns read only for the rows
 * that match every dimension. A dimension with few keys (up to
 * {@link ConvergeStarJoin#MAX_SEMI_JOIN_KEYS} in all) on a fact column the inverted index answers exactly
 * first narrows the fact rows to {@code fk IN (keys)} in the index (a semi-join reduction), so the
 * scan reads only those rows. No intermediate join rows are built. Projections of columns between
 * the joins (Calcite's join reordering adds them) are part of the star. EXPLAIN shows
 * {@code star=[...]} on each join of a star; the top one runs it. Otherwise the join runs as
 * Calcite's hash join.
 */
public class ConvergeHashJoin extends EnumerableHashJoin {
  /** Cost of hashing one build-side row, relative to probing with one row. */
  static final double BUILD_COST = 3d;

  protected ConvergeHashJoin(RelOptCluster cluster, RelTraitSet traits, RelNode left,
      RelNode right, RexNode condition, Set<CorrelationId> variablesSet) {
    super(cluster, traits, left, right, condition, variablesSet, JoinRelType.INNER);
  }

  /** A hash join of two enumerable inputs on {@code condition}. */
  public static ConvergeHashJoin create(RelNode left, RelNode right, RexNode condition,
      Set<CorrelationId> variablesSet) {
    RelOptCluster cluster = left.getCluster();
    return new ConvergeHashJoin(cluster, cluster.traitSetOf(EnumerableConvention.INSTANCE),
        left, right, condition, variablesSet);
  }

  /**
   * Whether a join can be this one: inner, only equalities of input columns (no {@code IS NOT
   * DISTINCT FROM}), each pair of keys of the same SQL type (so the hash of one side's value finds
   * the other's, as in Calcite's own hash join).
   */
  static boolean accepts(JoinRelType joinType, JoinInfo info, RelDataType left, RelDataType right) {
    if (joinType != JoinRelType.INNER || !info.isEqui() || info.leftKeys.isEmpty()) {
      return false;
    }
    for (boolean excludesNulls : info.nullExclusionFlags) {
      if (!excludesNulls) {
        return false;
      }
    }
    for (int i = 0; i < info.leftKeys.size(); i++) {
      RelDataType l = left.getFieldList().get(info.leftKeys.get(i)).getType();
      RelDataType r = right.getFieldList().get(info.rightKeys.get(i)).getType();
      if (l.getSqlTypeName() != r.getSqlTypeName()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public ConvergeHashJoin copy(RelTraitSet traitSet, RexNode condition, RelNode left,
      RelNode right, JoinRelType joinType, boolean semiJoinDone) {
    if (joinType != JoinRelType.INNER) {
      throw new IllegalArgumentException("ConvergeHashJoin is an inner join, not " + joinType);
    }
    return new ConvergeHashJoin(getCluster(), traitSet, left, right, condition, variablesSet);
  }

  /** Probe every left row, hash every right row, produce the joined rows. */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    double left = mq.getRowCount(getLeft());
    double right = mq.getRowCount(getRight());
    double out = mq.getRowCount(this);
    double rows = left + BUILD_COST * right + out;
    return planner.getCostFactory().makeCost(rows, 0, 0);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    RelWriter w = super.explainTerms(pw);
    Star star = Star.of(this);
    return star == null ? w : w.item("star", star.describe());
  }

  @Override
  public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    Star star = Star.of(this);
    if (star == null) {
      return super.implement(implementor, pref);
    }
    BlockBuilder block = new BlockBuilder();
    List<Expression> dims = star.dimensions(implementor, block);
    ConvergeStarJoin.Spec spec = star.spec();
    Expression stashed = implementor.stash(spec, ConvergeStarJoin.Spec.class);
    Expression call = Expressions.call(ConvergeStarJoin.JOIN, DataContext.ROOT, stashed,
        Expressions.newArrayInit(Enumerable.class, dims));
    block.add(Expressions.return_(null, block.append("rows", call)));
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(),
        JavaRowFormat.ARRAY, false);
    return implementor.result(physType, block.toBlock());
  }

  /**
   * A tree of these joins whose left spine ends at a Converge row access of the fact table, with
   * every left key a fact column, and nothing else on the spine but projections of columns
   * (Calcite puts them there when it reorders joins). Positions in the <i>star row</i> are the
   * fact columns, then each dimension's columns, bottom-up.
   */
  static final class Star {
    final List<ConvergeHashJoin> joins;
    final ConvergeRowAccess fact;
    /** Per join, bottom-up: its left keys as positions in the star row (all fact columns). */
    final int[][] factKeys;
    /** Per output column of the top join: its position in the star row. */
    final int[] output;

    private Star(List<ConvergeHashJoin> joins, ConvergeRowAccess fact, int[][] factKeys,
        int[] output) {
      this.joins = joins;
      this.fact = fact;
      this.factKeys = factKeys;
      this.output = output;
    }

    /** The star under {@code top}, or null when it is not one (or not planned yet). */
    static Star of(ConvergeHashJoin top) {
      List<RelNode> spine = new ArrayList<>();
      RelNode n = top;
      while (true) {
        if (n instanceof ConvergeHashJoin j) {
          spine.add(0, j);
          n = j.getLeft();
        } else if (n instanceof EnumerableCalc calc && isPermutation(calc)) {
          spine.add(0, calc);
          n = calc.getInput();
        } else {
          break;
        }
      }
      if (!(n instanceof ConvergeToEnumerableConverter c)
          || !(c.getInput() instanceof ConvergeRowAccess fact)
          || fact instanceof ConvergeLimit) {
        return null;
      }
      int factWidth = fact.getRowType().getFieldCount();
      int[] map = new int[factWidth]; // current node's columns -> star row positions
      for (int i = 0; i < factWidth; i++) {
        map[i] = i;
      }
      int width = factWidth;
      List<ConvergeHashJoin> joins = new ArrayList<>();
      List<int[]> keys = new ArrayList<>();
      for (RelNode node : spine) {
        if (node instanceof ConvergeHashJoin j) {
          List<Integer> left = j.analyzeCondition().leftKeys;
          int[] k = new int[left.size()];
          for (int i = 0; i < k.length; i++) {
            k[i] = map[left.get(i)];
            if (k[i] >= factWidth) {
              return null; // a key of a dimension (snowflake): Calcite's join
            }
          }
          int rightWidth = j.getRight().getRowType().getFieldCount();
          int[] next = new int[map.length + rightWidth];
          System.arraycopy(map, 0, next, 0, map.length);
          for (int i = 0; i < rightWidth; i++) {
            next[map.length + i] = width + i;
          }
          width += rightWidth;
          map = next;
          joins.add(j);
          keys.add(k);
        } else {
          EnumerableCalc calc = (EnumerableCalc) node;
          RexProgram program = calc.getProgram();
          int[] next = new int[program.getProjectList().size()];
          for (int i = 0; i < next.length; i++) {
            RexInputRef ref = (RexInputRef) program.expandLocalRef(program.getProjectList().get(i));
            next[i] = map[ref.getIndex()];
          }
          map = next;
        }
      }
      if (joins.isEmpty() || joins.get(joins.size() - 1) != top) {
        return null;
      }
      return new Star(joins, fact, keys.toArray(new int[0][]), map);
    }

    /** A calc that only picks input columns (no condition, no expression). */
    private static boolean isPermutation(EnumerableCalc calc) {
      RexProgram program = calc.getProgram();
      if (program.getCondition() != null) {
        return false;
      }
      for (var ref : program.getProjectList()) {
        if (!(program.expandLocalRef(ref) instanceof RexInputRef)) {
          return false;
        }
      }
      return true;
    }

    /**
     * Appends each dimension's plan (the joins' right inputs) to {@code block}; their rows as
     * {@code Object[]} enumerables, in join order.
     */
    List<Expression> dimensions(EnumerableRelImplementor implementor, BlockBuilder block) {
      List<Expression> dims = new ArrayList<>();
      for (int i = 0; i < joins.size(); i++) {
        ConvergeHashJoin j = joins.get(i);
        Result r = implementor.visitChild(j, 1, (EnumerableRel) j.getRight(), Prefer.ARRAY);
        Expression e = block.append("dimension" + i, r.block);
        dims.add(r.physType.convertTo(e, JavaRowFormat.ARRAY));
      }
      return dims;
    }

    ConvergeStarJoin.Spec spec() {
      ConvergeRel.Implementor im = new ConvergeRel.Implementor();
      fact.implement(im);
      int n = joins.size();
      int[][] dimKeys = new int[n][];
      int[] widths = new int[n];
      for (int i = 0; i < n; i++) {
        JoinInfo info = joins.get(i).analyzeCondition();
        dimKeys[i] = info.rightKeys.toIntArray();
        widths[i] = joins.get(i).getRight().getRowType().getFieldCount();
      }
      return new ConvergeStarJoin.Spec(im.query().withScalar(false), factKeys, dimKeys, widths,
          output, reducible());
    }

    /**
     * Per dimension: whether its keys can narrow the fact rows in the inverted index (a
     * semi-join): one key, a BIGINT or VARCHAR fact column whose stored values all have that
     * type, so that {@code IN (keys)} selects exactly the rows whose key the hash table holds.
     */
    boolean[] reducible() {
      boolean[] out = new boolean[factKeys.length];
      int[] columns = fact.columns();
      for (int d = 0; d < out.length; d++) {
        if (factKeys[d].length != 1) {
          continue;
        }
        ConvergeColumn c = fact.convergeTable().columns().get(columns[factKeys[d][0]]);
        out[d] = (c.type() == ConvergeColumnType.BIGINT || c.type() == ConvergeColumnType.VARCHAR)
            && !c.path().equals(CollectionSnapshot.ID)
            && !c.path().equals(CollectionSnapshot.EVENT_TIME)
            && ConvergeColumnCapabilities.comparable(fact.convergeTable(), c);
      }
      return out;
    }

    /** For EXPLAIN: the fact table and the fact columns probed in each dimension. */
    String describe() {
      List<String> names = fact.getRowType().getFieldNames();
      List<String> table = fact.getTable().getQualifiedName();
      StringBuilder b = new StringBuilder("fact ").append(table.get(table.size() - 1))
          .append(" probes");
      List<String> semi = new ArrayList<>();
      boolean[] reducible = reducible();
      for (int d = 0; d < factKeys.length; d++) {
        List<String> cols = new ArrayList<>();
        for (int i : factKeys[d]) {
          cols.add(names.get(i));
        }
        b.append(' ').append(String.join("+", cols));
        if (reducible[d]) {
          semi.add(names.get(factKeys[d][0]));
        }
      }
      if (!semi.isEmpty()) {
        b.append("; index semi-join on ").append(String.join(" ", semi)).append(" (up to ")
            .append(ConvergeStarJoin.MAX_SEMI_JOIN_KEYS).append(" keys in all)");
      }
      return b.toString();
    }
  }
}
