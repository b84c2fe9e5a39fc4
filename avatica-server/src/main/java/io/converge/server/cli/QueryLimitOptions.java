package io.converge.server.cli;

import io.converge.server.QueryLimits;
import picocli.CommandLine.Option;

/**
 * How long and how large a query may grow, as options of {@code server} (a picocli mixin); see
 * {@link QueryLimits}.
 */
public final class QueryLimitOptions {
  @Option(names = "--query-timeout", defaultValue = "0", paramLabel = "SECONDS",
      description = "Server-side timeout of every statement whose connection does not set its"
          + " own (connection property queryTimeout, seconds); 0 = none (default:"
          + " ${DEFAULT-VALUE}).")
  int queryTimeout;

  @Option(names = "--query-memory-limit", defaultValue = "25%", paramLabel = "SIZE|PCT",
      description = "Most memory one query may hold in Converge's own materializations (group"
          + " tables, top-N candidates): a size (512m, 2g) or a share of the maximum heap (25%);"
          + " 0 = no bound (default: ${DEFAULT-VALUE}).")
  String queryMemoryLimit;

  @Option(names = "--query-heap-limit", defaultValue = "85%", paramLabel = "PCT",
      description = "When the heap in use after a garbage collection is above this share of the"
          + " maximum heap, the largest running query is stopped with 'query exceeded the memory"
          + " limit'; 100% = off (default: ${DEFAULT-VALUE}).")
  String queryHeapLimit;

  /** The limits asked for; IllegalArgumentException (a one-line error) when one is out of range. */
  public QueryLimits limits() {
    if (queryTimeout < 0) {
      throw new IllegalArgumentException("--query-timeout: must be >= 0 seconds, got "
          + queryTimeout);
    }
    long memory;
    String m = queryMemoryLimit.trim();
    if (m.endsWith("%")) {
      memory = (long) (percent("--query-memory-limit", m) * Runtime.getRuntime().maxMemory());
    } else {
      try {
        memory = ServerCommand.bytes(m);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--query-memory-limit: not a size or a percentage: "
            + queryMemoryLimit);
      }
      if (memory < 0) {
        throw new IllegalArgumentException("--query-memory-limit: must be >= 0, got " + m);
      }
    }
    String h = queryHeapLimit.trim();
    if (!h.endsWith("%")) {
      throw new IllegalArgumentException("--query-heap-limit: a percentage such as 85%, got "
          + queryHeapLimit);
    }
    double heap = percent("--query-heap-limit", h);
    if (heap <= 0) {
      throw new IllegalArgumentException("--query-heap-limit: must be above 0%, got " + h);
    }
    return new QueryLimits(queryTimeout, memory, heap);
  }

  private static double percent(String option, String text) {
    try {
      double p = Double.parseDouble(text.substring(0, text.length() - 1).trim()) / 100;
      if (p < 0 || p > 1) {
        throw new IllegalArgumentException(option + ": between 0% and 100%, got " + text);
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": not a percentage: " + text);
    }
  }
}
