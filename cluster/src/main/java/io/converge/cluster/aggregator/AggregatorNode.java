package io.converge.cluster.aggregator;

import io.converge.server.auth.ServerSecurity;

/** Placeholder until the aggregator server is merged: same signatures, nothing behind them. */
public final class AggregatorNode implements AutoCloseable {
  private AggregatorNode() {}

  public static AggregatorNode start(AggregatorOptions options, ServerSecurity security,
      ClusterView view, String calciteUrl) throws Exception {
    throw new UnsupportedOperationException("not merged yet");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("not merged yet");
  }

  public void join() {
    throw new UnsupportedOperationException("not merged yet");
  }

  public String jdbcUrl() {
    throw new UnsupportedOperationException("not merged yet");
  }
}
