package io.converge.cluster.fragment;

import java.util.List;
import java.util.Map;

/**
 * Where a leaf's {@link FragmentExecutor} puts the rows of a fragment. Called by one thread at a
 * time: {@link #applied} once, then {@link #columns} once, then {@link #row} per row.
 */
public interface RowSink {
  /**
   * What the rows will reflect, before any is given: per partition of the request, an offset of
   * the collection's topic such that every record up to it is in the answer (a partition that has
   * applied nothing yet is left out). The aggregator raises its session's fence to them, so that
   * the session's next read does not go back to older data on another replica.
   */
  default void applied(Map<Integer, Long> offsets) {}

  void columns(List<FragmentColumn> columns);

  /**
   * One row, values as {@link FragmentType} says; the array may be reused after the call.
   *
   * @return false when the receiver wants no more rows (LIMIT reached, query cancelled)
   */
  boolean row(Object[] values);

  /**
   * Whether the receiver has gone away (query cancelled, stream closed) before any row was asked
   * for, so that a fragment still waiting to start (for its fence) stops waiting.
   */
  default boolean cancelled() {
    return false;
  }
}
