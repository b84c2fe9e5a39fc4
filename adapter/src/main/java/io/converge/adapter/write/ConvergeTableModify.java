package io.converge.adapter.write;

import io.converge.adapter.ConvergeTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.util.BuiltInMethod;

/**
 * INSERT, UPDATE or DELETE on a collection: runs its input (the rows to insert, or the rows to
 * change with their new values appended) in Calcite and hands them to {@link ConvergeWrites},
 * which upserts or deletes them by {@code _id} in batches. Returns the row count.
 */
public final class ConvergeTableModify extends TableModify implements EnumerableRel {
  ConvergeTableModify(RelOptCluster cluster, RelTraitSet traits, RelOptTable table,
      Prepare.CatalogReader catalogReader, RelNode input, Operation operation,
      List<String> updateColumnList, List<RexNode> sourceExpressionList, boolean flattened) {
    super(cluster, traits, table, catalogReader, input, operation, updateColumnList,
        sourceExpressionList, flattened);
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ConvergeTableModify(getCluster(), traitSet, getTable(), getCatalogReader(),
        sole(inputs), getOperation(), getUpdateColumnList(), getSourceExpressionList(),
        isFlattened());
  }

  @Override
  public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    BlockBuilder builder = new BlockBuilder();
    Result input = implementor.visitChild(this, 0, (EnumerableRel) getInput(), Prefer.ARRAY);
    Expression child = builder.append("child", input.block);
    Expression rows = builder.append("rows", input.physType.convertTo(child, JavaRowFormat.ARRAY));
    ConvergeTable table = getTable().unwrap(ConvergeTable.class);
    List<String> updated = getUpdateColumnList() == null ? List.of() : getUpdateColumnList();
    WriteSpec spec = new WriteSpec(table, getOperation(), new ArrayList<>(updated));
    Expression stashed = implementor.stash(spec, WriteSpec.class);
    Expression count = builder.append("count",
        Expressions.call(ConvergeWrites.class, "apply", stashed, rows));
    builder.add(Expressions.return_(null,
        Expressions.call(BuiltInMethod.SINGLETON_ENUMERABLE.method, count)));
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(),
        JavaRowFormat.SCALAR);
    return implementor.result(physType, builder.toBlock());
  }
}
