package io.converge.storage.query;

import java.util.List;

/**
 * A GROUP BY evaluated over column segments: group keys are field paths; each call is an
 * aggregate over one field path (or none, for COUNT(*)).
 *
 * <p>Results: one {@code Object[]} per group: the group key values (as stored: Long, Double,
 * String, Boolean, Instant, List, or null — null is a group of its own), then one value per call:
 * COUNT and COUNT DISTINCT -> Long; SUM -> Long when every summed value is an integer (an overflow
 * is an error, never a wrap), else Double, and null when no non-null value was summed; MIN/MAX ->
 * the smallest/largest non-null value (numbers compared numerically, returned as stored), null when
 * none. Without group keys there is exactly one row, even over no rows. AVG is SUM / COUNT(path)
 * (let the planner reduce it).
 *
 * <p>Over a star join ({@code joins} not empty) only the fact rows that join a row of every
 * dimension are aggregated, and the groups are keyed by the fact fields of {@code groupBy}, then
 * by the dimension attributes of {@code dimensionKeys}; a result row holds those keys in that
 * order, then the calls. Calls read fact fields only.
 */
public record Aggregation(List<String> groupBy, List<Call> calls, List<DimensionJoin> joins,
    List<DimensionJoin.Key> dimensionKeys) {
  public enum Kind { COUNT, SUM, MIN, MAX }

  /** An aggregation of the collection's own rows (no join). */
  public Aggregation(List<String> groupBy, List<Call> calls) {
    this(groupBy, calls, List.of(), List.of());
  }

  public Aggregation {
    groupBy = List.copyOf(groupBy);
    calls = List.copyOf(calls);
    joins = List.copyOf(joins);
    dimensionKeys = List.copyOf(dimensionKeys);
    for (DimensionJoin.Key k : dimensionKeys) {
      if (k.join() < 0 || k.join() >= joins.size()
          || k.attribute() < 0 || k.attribute() >= joins.get(k.join()).attributes().size()) {
        throw new IllegalArgumentException("no dimension attribute " + k);
      }
    }
  }

  /** Group keys: fact fields, then dimension attributes. */
  public int keyCount() {
    return groupBy.size() + dimensionKeys.size();
  }

  /**
   * An aggregate over a field ({@code path}), over an arithmetic expression of two numeric fields
   * ({@code arithmetic}, with {@code path} null), or over nothing (COUNT(*): both null).
   * {@code distinct} only with COUNT.
   */
  public record Call(Kind kind, String path, boolean distinct, Arithmetic arithmetic) {
    public Call(Kind kind, String path, boolean distinct) {
      this(kind, path, distinct, null);
    }

    /** An aggregate over {@code left op right}. */
    public static Call over(Kind kind, Arithmetic arithmetic) {
      return new Call(kind, null, false, arithmetic);
    }

    /** Whether the call reads no value (COUNT(*)). */
    public boolean countsRows() {
      return path == null && arithmetic == null;
    }
  }

  /**
   * {@code left op right} over two numeric fields, per row: NULL when either is NULL or not a
   * number; two integers give an integer (an overflow is an error), otherwise a double.
   */
  public record Arithmetic(Op op, String left, String right) {
    public enum Op { PLUS, MINUS, TIMES }
  }
}
