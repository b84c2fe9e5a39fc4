package io.converge.cluster.aggregator.plan;

import io.converge.cluster.aggregator.session.ReadFence;
import io.converge.cluster.aggregator.session.ReadObserver;
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
import org.apache.calcite.plan.volcano.RelSubset;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;

/**
 * The exchange between the leaves and the aggregator: sends its input (a tree of
 * {@link ClusterRel}s, rendered as fragment SQL with the merge's aggregate or sort on top) to
 * the leaves owning the wanted partitions, reads all their streams in parallel and merges the
 * rows ({@link ClusterMerge}). Operators above it run in Calcite at the aggregator.
 */
public final class ClusterGather extends SingleRel implements EnumerableRel {
  private final ClusterMerge merge;

  public ClusterGather(RelOptCluster cluster, RelTraitSet traits, RelNode input,
      ClusterMerge merge, RelDataType rowType) {
    super(cluster, traits, input);
    this.merge = merge;
    this.rowType = rowType;
  }

  public ClusterMerge merge() {
    return merge;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ClusterGather(getCluster(), traitSet, sole(inputs), merge, rowType);
  }

  @Override
  public double estimateRowCount(RelMetadataQuery mq) {
    double in = mq.getRowCount(getInput());
    return switch (merge.kind()) {
      case CONCAT -> in;
      case LIMIT, TOP_N -> Math.min(in, merge.fetch());
      case AGGREGATE -> {
        if (merge.groupSet().isEmpty()) {
          yield 1;
        }
        Double distinct = mq.getDistinctRowCount(getInput(), merge.groupSet(), null);
        yield distinct != null ? Math.min(in, distinct)
            : in * (1 - Math.pow(0.5, merge.groupSet().cardinality()));
      }
    };
  }

  /**
   * The rows crossing the network, wider rows counting for more (Volcano compares row counts
   * only): all of them for a concat; for a merge at most its output per partition, and a
   * tenth of that, since the merge also replaces an operator the aggregator would run.
   */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    double in = mq.getRowCount(getInput());
    double moved = merge.kind() == ClusterMerge.Kind.CONCAT ? in
        : 0.1 * Math.min(in, (merge.kind() == ClusterMerge.Kind.AGGREGATE
            ? estimateRowCount(mq) : merge.shardFetch()) * partitions(mq));
    double width = getRowType().getFieldCount();
    return planner.getCostFactory().makeCost(moved * (1 + width / 10.0), moved, 0);
  }

  private int partitions(RelMetadataQuery mq) {
    RelOptTable t = mq.getTableOrigin(getInput());
    ClusterTable ct = t == null ? null : t.unwrap(ClusterTable.class);
    return ct == null ? 16 : ct.entry().partitions();
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    super.explainTerms(pw);
    if (!containsSubset(getInput())) {
      try {
        ClusterFragment f = ClusterFragment.of(getInput(), merge);
        pw.item("fragment", f.sql()).item("partitions", f.partitionsText());
      } catch (RuntimeException e) {
        pw.item("fragment", "not renderable: " + e.getMessage());
      }
    }
    return pw.item("merge", merge.toString());
  }

  private static boolean containsSubset(RelNode rel) {
    if (rel instanceof RelSubset) {
      return true;
    }
    for (RelNode in : rel.getInputs()) {
      if (containsSubset(in)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(),
        pref.prefer(JavaRowFormat.ARRAY));
    ClusterFragment fragment = ClusterFragment.of(getInput(), merge);
    ClusterGatherSpec spec = spec(fragment, physType.getFormat() == JavaRowFormat.SCALAR);
    BlockBuilder block = new BlockBuilder();
    Expression stashed = implementor.stash(spec, ClusterGatherSpec.class);
    Expression enumerable = block.append("enumerable",
        Expressions.call(ClusterMethods.GATHER, DataContext.ROOT, stashed));
    block.add(Expressions.return_(null, enumerable));
    return implementor.result(physType, block.toBlock());
  }

  private ClusterGatherSpec spec(ClusterFragment fragment, boolean scalar) {
    List<ClusterValues.Target> targets = new ArrayList<>();
    for (RelDataTypeField f : getRowType().getFieldList()) {
      targets.add(ClusterValues.target(f.getType()));
    }
    List<ClusterGatherSpec.SortKey> keys = new ArrayList<>();
    for (RelFieldCollation fc : merge.collation().getFieldCollations()) {
      RelFieldCollation.NullDirection nulls =
          fc.nullDirection == RelFieldCollation.NullDirection.UNSPECIFIED
              ? fc.direction.defaultNullDirection() : fc.nullDirection;
      keys.add(new ClusterGatherSpec.SortKey(fc.getFieldIndex(), fc.direction.isDescending(),
          nulls == RelFieldCollation.NullDirection.FIRST));
    }
    List<ClusterMerge.Combine> combines = new ArrayList<>();
    merge.aggCalls().forEach(c -> combines.add(ClusterMerge.combineOf(c)));
    ClusterTable t = fragment.table();
    ClusterRuntime runtime = t.runtime().preferring(
        ClusterConnectionProperty.replicaGroup(getCluster().getPlanner().getContext()));
    return new ClusterGatherSpec(runtime, t.collection(), fragment.sql(),
        fragment.partitions(), t.merged().version(), t.merged().fields(), merge.kind(),
        merge.offset(), merge.fetch(), keys, merge.groupSet().cardinality(), combines, targets,
        scalar, fragment.params(), List.of(), ReadFence.NONE, ReadObserver.NONE);
  }
}
