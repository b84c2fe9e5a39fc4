package io.converge.cluster.fragment;

import java.util.List;

/** The rows of one fragment as they arrive from a leaf (the aggregator's side). Not thread-safe. */
public interface FragmentStream extends AutoCloseable {
  /** The columns; blocks until the leaf has sent them. */
  List<FragmentColumn> columns() throws FragmentException;

  /** The next row (values as {@link FragmentType} says), or null at the end; blocks. */
  Object[] next() throws FragmentException;

  /** Stops the stream (cancels the leaf's work when rows remain) and frees its buffers. */
  @Override
  void close();
}
