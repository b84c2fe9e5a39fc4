package io.converge.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Query latency and SQL errors of one role ({@code server}, {@code aggregator}, {@code leaf}):
 * {@code converge_query_seconds} (a histogram, tags {@code role} and {@code request}) and
 * {@code converge_sql_errors_total} (tags {@code role} and {@code sqlstate_class}, the first two
 * characters of the SQL state, such as {@code 42} for syntax and validation errors).
 */
public final class QueryMetrics {
  static final String LATENCY = "converge.query";
  static final String ERRORS = "converge.sql.errors";

  private final MeterRegistry registry;
  private final String role;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();

  private QueryMetrics(MeterRegistry registry, String role) {
    this.registry = registry;
    this.role = role;
  }

  /** The query metrics of {@code role} in the process's registry. */
  public static QueryMetrics of(String role) {
    return new QueryMetrics(ConvergeMetrics.registry(), role);
  }

  /**
   * The latency of one kind of request ({@code execute}, {@code fetch}, {@code fragment}, ...),
   * with histogram buckets from 1 ms to 5 minutes so that Prometheus can compute quantiles
   * across processes.
   */
  public Timer latency(String request) {
    return timers.computeIfAbsent(request, r -> latencyTimer(LATENCY,
        "time to answer one request, from its arrival to its answer (a fetch: one frame)")
        .tags("role", role, "request", r)
        .register(registry));
  }

  /** A timer builder with the histogram every Converge latency uses. */
  public static Timer.Builder latencyTimer(String name, String description) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(5));
  }

  /** Counts one failed request by the class of its SQL state (null: {@code HY}). */
  public void failed(String sqlState) {
    String cls = sqlState == null || sqlState.length() < 2 ? "HY"
        : sqlState.substring(0, 2).toUpperCase(Locale.ROOT);
    errors.computeIfAbsent(cls, c -> Counter.builder(ERRORS)
        .description("requests that failed, by the class of their SQL state")
        .tags("role", role, "sqlstate_class", c)
        .register(registry)).increment();
  }
}
