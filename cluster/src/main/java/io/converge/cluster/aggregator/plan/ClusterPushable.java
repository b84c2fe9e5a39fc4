package io.converge.cluster.aggregator.plan;

import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexCorrelVariable;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexFieldAccess;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexVisitorImpl;

/**
 * Whether an expression means the same on every leaf as at the aggregator once rendered as
 * fragment SQL: no windows, sub-queries or correlation, no non-deterministic or time-of-query
 * functions (each leaf would see its own), and parameters only of the types a fragment request
 * carries ({@link ClusterParams#typeOf}).
 */
final class ClusterPushable extends RexVisitorImpl<Void> {
  private boolean ok = true;

  private ClusterPushable() {
    super(true);
  }

  static boolean all(Iterable<? extends RexNode> nodes) {
    ClusterPushable v = new ClusterPushable();
    for (RexNode n : nodes) {
      n.accept(v);
    }
    return v.ok;
  }

  @Override
  public Void visitCall(RexCall call) {
    if (call instanceof RexOver || !call.getOperator().isDeterministic()
        || call.getOperator().isDynamicFunction()) {
      ok = false;
      return null;
    }
    return super.visitCall(call);
  }

  @Override
  public Void visitSubQuery(RexSubQuery subQuery) {
    ok = false;
    return null;
  }

  @Override
  public Void visitCorrelVariable(RexCorrelVariable correlVariable) {
    ok = false;
    return null;
  }

  @Override
  public Void visitDynamicParam(RexDynamicParam dynamicParam) {
    if (ClusterParams.typeOf(dynamicParam.getType()) == null) {
      ok = false;
    }
    return null;
  }

  @Override
  public Void visitFieldAccess(RexFieldAccess fieldAccess) {
    ok = false;
    return null;
  }
}
