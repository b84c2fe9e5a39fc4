package io.converge.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's one metrics registry, what every role counts into and what {@code GET /metrics}
 * serves in Prometheus' text format. It is process-wide rather than per server because the JVM's
 * own metrics (memory, GC, threads, class loading, CPU, uptime, file descriptors) are, and
 * because a process runs one role; tests that start several servers in one JVM tell their meters
 * apart by tags (collection, data directory, role).
 */
public final class ConvergeMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(ConvergeMetrics.class);

  /** Prometheus' classic text format, served unless the scraper asks for OpenMetrics. */
  public static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  public static final String OPENMETRICS_CONTENT_TYPE =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private static final PrometheusMeterRegistry REGISTRY = create();
  /** Run before each scrape: gauges whose set of series changes (collections, partitions). */
  private static final List<Runnable> BEFORE_SCRAPE = new CopyOnWriteArrayList<>();

  private ConvergeMetrics() {}

  /** The registry to register meters in. */
  public static MeterRegistry registry() {
    return REGISTRY;
  }

  /** What one scrape answers: the body and its content type. */
  public record Scrape(String contentType, byte[] body) {}

  /**
   * Every metric of the process, as OpenMetrics when {@code accept} (the request's
   * {@code Accept} header, may be null) names {@code application/openmetrics-text}, else as
   * Prometheus text 0.0.4. The protobuf format is never chosen: the text formats carry the same.
   */
  public static Scrape scrape(String accept) {
    for (Runnable r : BEFORE_SCRAPE) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("refreshing metrics before a scrape failed: {}", e.toString());
      }
    }
    boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
    String type = openMetrics ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
    String body = REGISTRY.scrape(openMetrics ? "application/openmetrics-text" : "text/plain");
    return new Scrape(type, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Runs {@code refresh} before every scrape until {@link #removeBeforeScrape} removes it. */
  public static void beforeScrape(Runnable refresh) {
    BEFORE_SCRAPE.add(refresh);
  }

  public static void removeBeforeScrape(Runnable refresh) {
    BEFORE_SCRAPE.remove(refresh);
  }

  @SuppressWarnings("resource") // the GC listeners live as long as the process
  private static PrometheusMeterRegistry create() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(r);
    new JvmGcMetrics().bindTo(r);
    new JvmThreadMetrics().bindTo(r);
    new ClassLoaderMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    new FileDescriptorMetrics().bindTo(r);
    return r;
  }
}
