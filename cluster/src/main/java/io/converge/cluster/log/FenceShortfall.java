package io.converge.cluster.log;

/**
 * The one-line reason a read gives up waiting for its fence, worded the same wherever a read
 * waits (a leaf's fragment, an aggregator's HTTP read).
 */
public final class FenceShortfall {
  private FenceShortfall() {}

  /**
   * "partition P of 'C' has applied up to offset N, the read waits for W (waited T ms)".
   *
   * @param next the partition's next offset to apply (0: nothing applied yet)
   */
  public static String message(String collection, int partition, long next, long wanted,
      long waitedMillis) {
    return "partition " + partition + " of '" + collection + "' has applied "
        + (next > 0 ? "up to offset " + (next - 1) : "no offset yet") + ", the read waits for "
        + wanted + " (waited " + waitedMillis + " ms)";
  }
}
