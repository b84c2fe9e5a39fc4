package io.converge.cluster.fragment;

import java.util.List;

/**
 * Where a leaf's {@link FragmentExecutor} puts the rows of a fragment. Called by one thread at a
 * time: {@link #columns} once, then {@link #row} per row.
 */
public interface RowSink {
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
