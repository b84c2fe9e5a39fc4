package io.converge.adapter;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelVisitor;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rel.rules.JoinPushThroughJoinRule;
import org.apache.calcite.runtime.Hook;
import org.apache.calcite.tools.Program;
import org.apache.calcite.tools.Programs;
import org.apache.calcite.util.Holder;

/**
 * Heuristic join ordering for many-way joins over Converge tables.
 *
 * <p>Calcite's standard program hands a join of n tables to the Volcano planner, whose join
 * commute and push-through rules explore the orders exhaustively: a six-table join of ten-row
 * tables (SQLite's {@code select5}) took 40-60 s to plan, and a FROM list's order leaves cross
 * products between tables that only later conditions connect. From {@link #MIN_JOINS} joins on,
 * this program first gathers the joins and their conditions into one {@code MultiJoin} and lets
 * {@code LoptOptimizeJoinRule} order them by the tables' statistics (connected, selective tables
 * first), then runs the standard program without those exhaustive rules. The same query plans in
 * about 0.1 s. Fewer joins (the Star Schema Benchmark's five-table queries among them) keep the
 * standard program and the planner's own choice, star joins included.
 *
 * <p>Installed once per process as Calcite's {@link Hook#PROGRAM}; a query that reads no
 * Converge table, or has fewer joins, gets Calcite's standard program unchanged.
 */
public final class ConvergeJoinOrder {
  /** Joins (tables - 1) from which the heuristic order replaces the exhaustive search. */
  public static final int MIN_JOINS = 5;

  private static final AtomicBoolean INSTALLED = new AtomicBoolean();

  private static final List<RelOptRule> EXHAUSTIVE = List.of(CoreRules.JOIN_COMMUTE,
      CoreRules.JOIN_COMMUTE_OUTER, CoreRules.JOIN_ASSOCIATE, JoinPushThroughJoinRule.LEFT,
      JoinPushThroughJoinRule.RIGHT);

  /** Gathers joins, their conditions and the projects between them into MultiJoins. */
  private static final HepProgram GATHER = new HepProgramBuilder()
      .addRuleInstance(CoreRules.FILTER_INTO_JOIN)
      .addMatchOrder(HepMatchOrder.BOTTOM_UP)
      .addRuleInstance(CoreRules.JOIN_TO_MULTI_JOIN)
      .addRuleInstance(CoreRules.PROJECT_MULTI_JOIN_MERGE)
      .addRuleInstance(CoreRules.FILTER_MULTI_JOIN_MERGE)
      .build();

  static final Program PROGRAM = (planner, rel, traits, materializations, lattices) -> {
    RelNode r = rel;
    if (RelOptUtil.countJoins(r) >= MIN_JOINS && readsConvergeTable(r)) {
      // Sub-queries first, so that the joins they become are ordered too and no RexSubQuery
      // reaches the join rules.
      r = Programs.subQuery(DefaultRelMetadataProvider.INSTANCE)
          .run(planner, r, traits, materializations, lattices);
      r = Programs.of(GATHER, false, DefaultRelMetadataProvider.INSTANCE)
          .run(planner, r, traits, materializations, lattices);
      r = Programs.hep(List.of(CoreRules.MULTI_JOIN_OPTIMIZE), false,
          DefaultRelMetadataProvider.INSTANCE).run(planner, r, traits, materializations, lattices);
      withoutExhaustiveJoinRules(planner);
    }
    return Programs.standard().run(planner, r, traits, materializations, lattices);
  };

  private ConvergeJoinOrder() {}

  /** Makes {@link #PROGRAM} the program of every Calcite statement prepared in this process. */
  public static void install() {
    if (INSTALLED.compareAndSet(false, true)) {
      Hook.PROGRAM.add((Consumer<Holder<Program>>) holder -> holder.set(PROGRAM));
    }
  }

  private static void withoutExhaustiveJoinRules(RelOptPlanner planner) {
    for (RelOptRule rule : EXHAUSTIVE) {
      planner.removeRule(rule);
    }
  }

  static boolean readsConvergeTable(RelNode rel) {
    boolean[] found = {false};
    new RelVisitor() {
      @Override
      public void visit(RelNode node, int ordinal, RelNode parent) {
        if (node instanceof TableScan scan
            && scan.getTable().unwrap(ConvergeTable.class) != null) {
          found[0] = true;
        } else if (!found[0]) {
          super.visit(node, ordinal, parent);
        }
      }
    }.go(rel);
    return found[0];
  }
}
