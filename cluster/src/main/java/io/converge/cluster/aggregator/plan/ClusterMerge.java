package io.converge.cluster.aggregator.plan;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelCollation;
import org.apache.calcite.rel.RelCollations;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * How a gather combines the leaves' rows, and what it adds on top of the pushed fragment:
 * <ul>
 *   <li>{@link Kind#CONCAT}: the rows as they arrive;
 *   <li>{@link Kind#LIMIT}: each shard stops after {@code offset + fetch} rows; the gather skips
 *       {@code offset}, keeps {@code fetch} and closes the streams (early stop);
 *   <li>{@link Kind#TOP_N}: each shard returns its first {@code offset + fetch} rows in
 *       {@code collation}; the gather merges them in that order, then offset and fetch;
 *   <li>{@link Kind#AGGREGATE}: each shard aggregates its rows by {@code groupSet}; the gather
 *       merges rows with equal group keys by the calls' combine functions (COUNT and SUM0 by
 *       SUM0, SUM by SUM, MIN by MIN, MAX by MAX), which gives the aggregate over all rows.
 * </ul>
 */
public record ClusterMerge(Kind kind, ImmutableBitSet groupSet, List<AggregateCall> aggCalls,
    RelCollation collation, long offset, long fetch) {

  /** See {@link ClusterMerge}. */
  public enum Kind { CONCAT, LIMIT, TOP_N, AGGREGATE }

  /** How one partial aggregate column merges. */
  public enum Combine { SUM0, SUM, MIN, MAX }

  public static final ClusterMerge CONCAT =
      new ClusterMerge(Kind.CONCAT, ImmutableBitSet.of(), List.of(), RelCollations.EMPTY, 0, -1);

  public static ClusterMerge limit(RelCollation collation, long offset, long fetch) {
    return new ClusterMerge(collation.getFieldCollations().isEmpty() ? Kind.LIMIT : Kind.TOP_N,
        ImmutableBitSet.of(), List.of(), collation, offset, fetch);
  }

  public static ClusterMerge aggregate(ImmutableBitSet groupSet, List<AggregateCall> calls) {
    return new ClusterMerge(Kind.AGGREGATE, groupSet, List.copyOf(calls), RelCollations.EMPTY, 0,
        -1);
  }

  /** The combine function of a call a shard can compute partially, or null. */
  public static Combine combineOf(AggregateCall call) {
    if (call.isDistinct() || call.isApproximate() || call.filterArg >= 0
        || !call.collation.getFieldCollations().isEmpty() || call.rexList.size() > 0) {
      return null;
    }
    SqlKind k = call.getAggregation().getKind();
    return switch (k) {
      case COUNT, SUM0 -> Combine.SUM0;
      case SUM -> Combine.SUM;
      case MIN -> Combine.MIN;
      case MAX -> Combine.MAX;
      default -> null;
    };
  }

  /** The rows each shard returns at most ({@code offset + fetch}), or -1 when unbounded. */
  public long shardFetch() {
    return kind == Kind.LIMIT || kind == Kind.TOP_N ? offset + fetch : -1;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case CONCAT -> "concat";
      case LIMIT -> "limit: offset " + offset + ", fetch " + fetch + ", early stop";
      case TOP_N -> "top-n: k-way merge by " + keys() + ", offset " + offset + ", fetch " + fetch;
      case AGGREGATE -> {
        List<String> parts = new ArrayList<>();
        parts.add("group " + groupSet);
        int i = groupSet.cardinality();
        for (AggregateCall c : aggCalls) {
          parts.add(combineOf(c) + "($" + i++ + ")");
        }
        yield "partial aggregate: " + String.join(", ", parts);
      }
    };
  }

  private String keys() {
    List<String> keys = new ArrayList<>();
    for (RelFieldCollation fc : collation.getFieldCollations()) {
      RelFieldCollation.NullDirection nulls = fc.nullDirection;
      boolean usual = nulls == RelFieldCollation.NullDirection.UNSPECIFIED
          || nulls == fc.direction.defaultNullDirection();
      keys.add("$" + fc.getFieldIndex() + (fc.direction.isDescending() ? " DESC" : "")
          + (usual ? "" : " NULLS " + nulls));
    }
    return String.join(", ", keys);
  }
}
