package io.converge.cluster.aggregator.write;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.util.BuiltInMethod;

/**
 * INSERT, UPDATE or DELETE on a cluster collection: runs its input at the aggregator (the rows to
 * insert, or the matched rows, every column, with the new values appended) and hands them to
 * {@link ClusterWrites}, which produces them to the collection's topic. Returns the row count.
 */
public final class ClusterTableModify extends TableModify implements EnumerableRel {
  ClusterTableModify(RelOptCluster cluster, RelTraitSet traits, RelOptTable table,
      Prepare.CatalogReader catalogReader, RelNode input, Operation operation,
      List<String> updateColumnList, List<RexNode> sourceExpressionList, boolean flattened) {
    super(cluster, traits, table, catalogReader, input, operation, updateColumnList,
        sourceExpressionList, flattened);
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ClusterTableModify(getCluster(), traitSet, getTable(), getCatalogReader(),
        sole(inputs), getOperation(), getUpdateColumnList(), getSourceExpressionList(),
        isFlattened());
  }

  /**
   * Cheaper than Calcite's {@code EnumerableTableModify}, which a cluster table (a
   * {@code ModifiableTable} without a collection) also matches and which would fail at run time.
   */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    RelOptCost cost = super.computeSelfCost(planner, mq);
    return cost == null ? null : cost.multiplyBy(0.5);
  }

  @Override
  public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    BlockBuilder builder = new BlockBuilder();
    Result input = implementor.visitChild(this, 0, (EnumerableRel) getInput(), Prefer.ARRAY);
    Expression child = builder.append("child", input.block);
    Expression rows = builder.append("rows", input.physType.convertTo(child, JavaRowFormat.ARRAY));
    ClusterWriteTarget target = getTable().unwrap(ClusterWriteTarget.class);
    List<String> updated = getUpdateColumnList() == null ? List.of() : getUpdateColumnList();
    ClusterWriteSpec spec = new ClusterWriteSpec(target.writeCollection(),
        List.copyOf(target.writeColumns()), target.writeBootstrap(), getOperation(),
        new ArrayList<>(updated));
    Expression stashed = implementor.stash(spec, ClusterWriteSpec.class);
    Expression count = builder.append("count",
        Expressions.call(ClusterWrites.class, "apply", DataContext.ROOT, stashed, rows));
    builder.add(Expressions.return_(null,
        Expressions.call(BuiltInMethod.SINGLETON_ENUMERABLE.method, count)));
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(),
        JavaRowFormat.SCALAR);
    return implementor.result(physType, builder.toBlock());
  }
}
