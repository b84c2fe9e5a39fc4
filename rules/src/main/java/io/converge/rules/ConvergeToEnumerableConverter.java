package io.converge.rules;

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
import org.apache.calcite.plan.ConventionTraitDef;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterImpl;
import org.apache.calcite.rel.metadata.RelMetadataQuery;

/**
 * Runs a Converge access path inside Calcite's enumerable engine: the generated code is one call
 * of {@link ConvergeMethods#query} with the planned {@link ConvergeQuery} (passed through the
 * statement's stash, so compiled classes stay cacheable).
 */
public class ConvergeToEnumerableConverter extends ConverterImpl implements EnumerableRel {
  protected ConvergeToEnumerableConverter(RelOptCluster cluster, RelTraitSet traits,
      RelNode input) {
    super(cluster, ConventionTraitDef.INSTANCE, traits, input);
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ConvergeToEnumerableConverter(getCluster(), traitSet, sole(inputs));
  }

  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    RelOptCost cost = super.computeSelfCost(planner, mq);
    return cost == null ? null : cost.multiplyBy(0.1);
  }

  @Override
  public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    ConvergeRel.Implementor convergeImplementor = new ConvergeRel.Implementor();
    ((ConvergeRel) getInput()).implement(convergeImplementor);
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(),
        pref.prefer(JavaRowFormat.ARRAY));
    ConvergeQuery query = convergeImplementor.query()
        .withScalar(physType.getFormat() == JavaRowFormat.SCALAR);
    BlockBuilder block = new BlockBuilder();
    Expression stashed = implementor.stash(query, ConvergeQuery.class);
    Expression enumerable = block.append("enumerable",
        Expressions.call(ConvergeMethods.QUERY, DataContext.ROOT, stashed));
    block.add(Expressions.return_(null, enumerable));
    return implementor.result(physType, block.toBlock());
  }
}
