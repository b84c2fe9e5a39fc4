package io.converge.cluster.leaf;

/** Placeholder until the leaf role is merged: same signatures, nothing behind them. */
public final class LeafNode implements AutoCloseable {
  private LeafNode() {}

  public static LeafNode start(LeafOptions options) throws Exception {
    throw new UnsupportedOperationException("not merged yet");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("not merged yet");
  }

  public void awaitStopped() throws InterruptedException {
    throw new UnsupportedOperationException("not merged yet");
  }
}
