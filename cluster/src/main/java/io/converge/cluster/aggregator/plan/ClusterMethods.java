package io.converge.cluster.aggregator.plan;

import io.converge.cluster.aggregator.session.ClusterSession;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.linq4j.tree.Types;

/** The one door from generated code into the cluster runtime. */
public final class ClusterMethods {
  private ClusterMethods() {}

  /** A query with no statement timeout still ends: leaves stop fragments past this. */
  static final long DEFAULT_TIMEOUT_MILLIS = 3_600_000L;

  public static final Method GATHER = Types.lookupMethod(ClusterMethods.class, "gather",
      DataContext.class, ClusterGatherSpec.class);

  /**
   * The merged rows of a gather (one value per row when {@code planned.scalar()}), with this
   * execution's parameter values ({@link ClusterGatherSpec#bind}), once the leaves applied the
   * fence of the statement's session ({@link ClusterSession}), to which each leaf's answer reports
   * what it reflected.
   */
  public static Enumerable<Object> gather(DataContext root, ClusterGatherSpec planned) {
    ClusterGatherSpec spec = planned.bind(root).fenced(
        ClusterSession.readFence(root, planned.collection()),
        ClusterSession.observer(root, planned.collection()));
    Object timeout = root == null ? null : root.get(DataContext.Variable.TIMEOUT.camelName);
    long millis = timeout instanceof Number n && n.longValue() > 0 ? n.longValue()
        : DEFAULT_TIMEOUT_MILLIS;
    Object flag = root == null ? null : root.get(DataContext.Variable.CANCEL_FLAG.camelName);
    AtomicBoolean cancel = flag instanceof AtomicBoolean b ? b : new AtomicBoolean();
    long deadline = System.currentTimeMillis() + millis;
    return new AbstractEnumerable<>() {
      private List<Object[]> materialized;

      @Override
      public Enumerator<Object> enumerator() {
        if (!ClusterMergeEnumerator.materializes(spec.kind())) {
          List<Object[]> replay;
          synchronized (this) {
            replay = materialized;
          }
          return replay != null ? new ClusterMergeEnumerator(spec, replay)
              : new ClusterMergeEnumerator(spec, deadline, cancel, this::completed);
        }
        synchronized (this) {
          if (materialized == null) {
            materialized = ClusterMergeEnumerator.materialize(spec, deadline, cancel);
          }
        }
        return new ClusterMergeEnumerator(spec, materialized);
      }

      private synchronized void completed(List<Object[]> rows) {
        materialized = rows;
      }
    };
  }
}
