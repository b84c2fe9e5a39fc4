package io.converge.server;

import io.converge.storage.guard.QueryMemoryWatchdog;
import io.converge.storage.guard.QueryRegistry;

/**
 * How long and how large a query may grow on the server.
 *
 * @param timeoutSeconds server-side timeout of every statement whose connection does not set its
 *     own ({@code queryTimeout} connection property); 0 = none
 * @param memoryLimitBytes most bytes one query may hold in Converge's own materializations (group
 *     tables of column aggregates, top-N candidates); 0 = no bound
 * @param heapFraction the heap watchdog's mark: when the heap in use after a garbage collection
 *     is above this fraction of the maximum heap, the largest running query is stopped with
 *     "query exceeded the memory limit" ({@link QueryMemoryWatchdog}); 1 or more turns it off
 */
public record QueryLimits(int timeoutSeconds, long memoryLimitBytes, double heapFraction) {
  /** The watchdog's default mark: 85% of the maximum heap in use after a collection. */
  public static final double DEFAULT_HEAP_FRACTION = 0.85;

  /** No timeout, a quarter of the heap per query, the watchdog at 85%. */
  public static final QueryLimits DEFAULT =
      new QueryLimits(0, QueryRegistry.defaultMemoryLimit(), DEFAULT_HEAP_FRACTION);

  public QueryLimits {
    if (timeoutSeconds < 0) {
      throw new IllegalArgumentException("query timeout must be >= 0 seconds, got "
          + timeoutSeconds);
    }
    if (memoryLimitBytes < 0) {
      throw new IllegalArgumentException("query memory limit must be >= 0 bytes, got "
          + memoryLimitBytes);
    }
    if (!(heapFraction > 0)) {
      throw new IllegalArgumentException("heap fraction must be > 0, got " + heapFraction);
    }
  }

  public QueryLimits withTimeoutSeconds(int seconds) {
    return new QueryLimits(seconds, memoryLimitBytes, heapFraction);
  }

  public QueryLimits withMemoryLimitBytes(long bytes) {
    return new QueryLimits(timeoutSeconds, bytes, heapFraction);
  }

  public QueryLimits withHeapFraction(double fraction) {
    return new QueryLimits(timeoutSeconds, memoryLimitBytes, fraction);
  }

  /**
   * Applies the limits to a server's meta and to the process (the memory limit and the heap
   * watchdog are process-wide: the heap is).
   */
  public void applyTo(ConvergeMeta meta) {
    meta.defaultQueryTimeoutSeconds(timeoutSeconds);
    QueryRegistry.global().setMemoryLimitBytes(memoryLimitBytes);
    QueryMemoryWatchdog.install(heapFraction);
  }
}
