package io.converge.cluster.fragment;

/**
 * Opens fragment streams to leaves. One per aggregator process; thread-safe, so a gather opens
 * the streams of all its leaves at once and reads them in parallel.
 */
public interface FragmentTransport extends AutoCloseable {
  FragmentStream open(LeafEndpoint leaf, FragmentRequest request) throws FragmentException;

  @Override
  void close();
}
