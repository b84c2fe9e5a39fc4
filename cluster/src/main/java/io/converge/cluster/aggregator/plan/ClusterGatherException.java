package io.converge.cluster.aggregator.plan;

/** A gather that failed; its one-line message names the leaf and partitions when known. */
public final class ClusterGatherException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ClusterGatherException(String message, Throwable cause) {
    super(message, cause);
  }
}
