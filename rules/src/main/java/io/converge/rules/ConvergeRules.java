package io.converge.rules;

import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableRules;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.rel.rules.CoreRules;

/**
 * Converge's planner rules, and the list {@link #RULES} the adapter registers (through
 * {@link ConvergeRulesProvider}) when push-down is on. Each rule class holds its own
 * configuration; which path wins is the planner's choice by cost (see each rel's
 * {@code computeSelfCost}).
 */
public final class ConvergeRules {
  private ConvergeRules() {}

  /** A logical scan of a Converge table → a {@link ConvergeTableScan} of every column. */
  public static final ConvergeTableScanRule TABLE_SCAN =
      ConvergeTableScanRule.Config.DEFAULT.toRule();

  /** Project over a scan → a {@link ConvergeTableScan} of the used columns. */
  public static final ConvergeAccessRule PROJECT = ConvergeAccessRule.Config.PROJECT.toRule();

  /** Filter over a scan → an index filter or row lookup of all columns, residual above. */
  public static final ConvergeAccessRule FILTER = ConvergeAccessRule.Config.FILTER.toRule();

  /** Project over a filter over a scan → an index filter or row lookup of the used columns. */
  public static final ConvergeAccessRule PROJECT_FILTER =
      ConvergeAccessRule.Config.DEFAULT.toRule();

  /** Aggregate over a scan → a {@link ConvergeAggregate}. */
  public static final ConvergeAggregateRule AGGREGATE =
      ConvergeAggregateRule.Config.DEFAULT.toRule();

  /** Aggregate over a project over a scan → a {@link ConvergeAggregate}. */
  public static final ConvergeAggregateRule AGGREGATE_PROJECT =
      ConvergeAggregateRule.Config.PROJECT.toRule();

  /** Aggregate over a wholly translatable filter over a scan → a {@link ConvergeAggregate}. */
  public static final ConvergeAggregateRule AGGREGATE_FILTER =
      ConvergeAggregateRule.Config.FILTER.toRule();

  /** Aggregate over a project over a filter over a scan → a {@link ConvergeAggregate}. */
  public static final ConvergeAggregateRule AGGREGATE_PROJECT_FILTER =
      ConvergeAggregateRule.Config.PROJECT_FILTER.toRule();

  /** {@code [ORDER BY ...] LIMIT} over a scan → a {@link ConvergeLimit} under the sort. */
  public static final ConvergeLimitRule LIMIT = ConvergeLimitRule.Config.DEFAULT.toRule();

  /** {@code [ORDER BY ...] LIMIT} over a project over a scan. */
  public static final ConvergeLimitRule LIMIT_PROJECT = ConvergeLimitRule.Config.PROJECT.toRule();

  /** {@code [ORDER BY ...] LIMIT} over a wholly translatable filter over a scan. */
  public static final ConvergeLimitRule LIMIT_FILTER = ConvergeLimitRule.Config.FILTER.toRule();

  /** {@code [ORDER BY ...] LIMIT} over a project over a filter over a scan. */
  public static final ConvergeLimitRule LIMIT_PROJECT_FILTER =
      ConvergeLimitRule.Config.PROJECT_FILTER.toRule();

  /** The Converge convention → Calcite's enumerable one. */
  public static final ConvergeToEnumerableConverterRule TO_ENUMERABLE =
      ConvergeToEnumerableConverterRule.DEFAULT_CONFIG
          .toRule(ConvergeToEnumerableConverterRule.class);

  /**
   * Joins: inner equi-joins → a {@link ConvergeHashJoin}; the rest as Calcite's
   * {@link EnumerableRules#ENUMERABLE_JOIN_RULE} makes them (that rule and the merge join rule
   * are {@link #REPLACED}).
   */
  public static final ConvergeHashJoinRule HASH_JOIN =
      ConvergeHashJoinRule.DEFAULT_CONFIG.toRule(ConvergeHashJoinRule.class);

  /** Aggregate over a {@link ConvergeHashJoin} → a {@link ConvergeStarAggregate}. */
  public static final ConvergeStarAggregateRule STAR_AGGREGATE =
      ConvergeStarAggregateRule.Config.DEFAULT.toRule();

  /** The same through a project (a calc once Calcite's last phase has merged it). */
  public static final ConvergeStarAggregateRule STAR_AGGREGATE_PROJECT =
      ConvergeStarAggregateRule.Config.PROJECT.toRule();

  /** {@code PERCENTILE_CONT/DISC ... WITHIN GROUP} over a DOUBLE → exact aggregates Calcite runs. */
  public static final ConvergePercentileRule PERCENTILE = ConvergePercentileRule.Config.DEFAULT.toRule();

  /** Every rule, in the order they are registered. AVG is reduced to SUM / COUNT by Calcite. */
  public static final List<RelOptRule> RULES = List.of(TABLE_SCAN, PROJECT, FILTER,
      PROJECT_FILTER, AGGREGATE, AGGREGATE_PROJECT, AGGREGATE_FILTER, AGGREGATE_PROJECT_FILTER,
      LIMIT, LIMIT_PROJECT, LIMIT_FILTER, LIMIT_PROJECT_FILTER, TO_ENUMERABLE,
      CoreRules.AGGREGATE_REDUCE_FUNCTIONS, HASH_JOIN, STAR_AGGREGATE, STAR_AGGREGATE_PROJECT,
      PERCENTILE);

  /**
   * Calcite's rules that the adapter removes when it registers {@link #RULES}: the enumerable
   * join rule ({@link #HASH_JOIN} does its work); the merge join rule, whose plans sort the
   * fact table of a star query (Converge's scans produce no useful order); and the rules that
   * push filters and projects into a {@code BindableTableScan} of the table, whose cost Calcite
   * divides by 100 although the adapter's scan leaves the filter to Calcite's interpreter (the
   * Converge access paths do that work).
   */
  public static final List<RelOptRule> REPLACED = List.of(EnumerableRules.ENUMERABLE_JOIN_RULE,
      EnumerableRules.ENUMERABLE_MERGE_JOIN_RULE, CoreRules.FILTER_SCAN,
      CoreRules.FILTER_INTERPRETER_SCAN, CoreRules.PROJECT_TABLE_SCAN,
      CoreRules.PROJECT_INTERPRETER_TABLE_SCAN);
}
