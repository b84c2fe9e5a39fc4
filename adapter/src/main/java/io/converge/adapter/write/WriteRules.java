package io.converge.adapter.write;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.runtime.Hook;

/**
 * Adds {@link ConvergeTableModifyRule} to every planner Calcite creates in this JVM. A write's
 * target table is never scanned, so the table cannot register the rule itself the way scans
 * register the read rules; the rule ignores modifications of other tables.
 */
public final class WriteRules {
  private static final AtomicBoolean INSTALLED = new AtomicBoolean();

  private WriteRules() {}

  public static void install() {
    if (INSTALLED.compareAndSet(false, true)) {
      Hook.PLANNER.add((Object planner) ->
          ((RelOptPlanner) planner).addRule(ConvergeTableModifyRule.INSTANCE));
    }
  }
}
