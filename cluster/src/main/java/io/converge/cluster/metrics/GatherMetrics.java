package io.converge.cluster.metrics;

import io.converge.server.metrics.ConvergeMetrics;
import io.micrometer.core.instrument.Counter;

/**
 * The aggregator's gathers: {@code converge_fragment_retries_total} counts fragments routed again
 * after a leaf refused them before sending a row (its partitions moved, or it is gone).
 */
public final class GatherMetrics {
  static final String RETRIES = "converge.fragment.retries";

  private static final Counter RETRIED = Counter.builder(RETRIES)
      .description("fragments routed to the leaves again after a refusal")
      .register(ConvergeMetrics.registry());

  private GatherMetrics() {}

  /** Registers the counters (a scrape then shows 0 before the first retry). */
  static void register() {
    // the static initializer did it
  }

  /** Counts one fragment routed again. */
  public static void retried() {
    RETRIED.increment();
  }
}
