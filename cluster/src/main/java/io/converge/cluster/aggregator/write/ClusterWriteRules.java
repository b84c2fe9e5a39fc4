package io.converge.cluster.aggregator.write;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.runtime.Hook;

/**
 * The planner rules of the cluster's SQL writes. A write's target table is not scanned by
 * {@code INSERT ... VALUES}, so a table cannot rely on registering the rule from its scan alone:
 * {@link #install()} adds it to every planner of the JVM (it ignores other tables), and
 * {@link #register(RelOptPlanner)} adds it to one planner.
 */
public final class ClusterWriteRules {
  private static final AtomicBoolean INSTALLED = new AtomicBoolean();

  private ClusterWriteRules() {}

  /** Adds the write rules to {@code planner}. */
  public static void register(RelOptPlanner planner) {
    planner.addRule(ClusterTableModifyRule.INSTANCE);
  }

  /** Adds the write rules to every planner Calcite creates in this JVM (once). */
  public static void install() {
    if (INSTALLED.compareAndSet(false, true)) {
      Hook.PLANNER.add((Object planner) -> register((RelOptPlanner) planner));
    }
  }
}
