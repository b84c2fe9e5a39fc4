package io.converge.cluster.fragment;

/** Runs fragments over the shards of one leaf (the leaf's side of the transport). */
public interface FragmentExecutor {
  /**
   * Runs the request over each of its partitions (in parallel where it can) and puts the rows
   * into the sink, partitions concatenated in no particular order.
   *
   * @throws FragmentException {@code UNAVAILABLE} when a partition is not held here, {@code
   *     INVALID} when the SQL does not compile against the shard, {@code TIMEOUT} past the
   *     deadline, {@code FAILED} otherwise
   */
  void execute(FragmentRequest request, RowSink sink) throws FragmentException;
}
