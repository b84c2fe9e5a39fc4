package io.converge.cluster.fragment;

import java.util.List;
import java.util.Map;

/** The rows of one fragment as they arrive from a leaf (the aggregator's side). Not thread-safe. */
public interface FragmentStream extends AutoCloseable {
  /** The columns; blocks until the leaf has sent them. */
  List<FragmentColumn> columns() throws FragmentException;

  /**
   * Per partition the leaf answered, the offset of the collection's topic up to which its answer
   * holds every record ({@link RowSink#applied}); known once {@link #columns} returned, empty when
   * the leaf did not say.
   */
  default Map<Integer, Long> appliedOffsets() {
    return Map.of();
  }

  /** The next row (values as {@link FragmentType} says), or null at the end; blocks. */
  Object[] next() throws FragmentException;

  /** Stops the stream (cancels the leaf's work when rows remain) and frees its buffers. */
  @Override
  void close();
}
