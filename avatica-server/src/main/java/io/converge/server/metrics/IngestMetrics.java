package io.converge.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import java.util.function.ToLongFunction;

/**
 * Documents that entered a process, tagged with the collection and the {@code source}
 * ({@code http}: the HTTP API, {@code kafka}: a tailer, {@code sql}: an aggregator's SQL
 * {@code INSERT} / {@code UPDATE} / {@code DELETE}, one per record written):
 * {@code converge_documents_ingested_total}
 * counts those accepted (on an aggregator: acknowledged by Kafka), and
 * {@code converge_documents_rejected_total} those refused, with a {@code reason}:
 * {@code invalid} (not a storable document: bad {@code _id} or {@code _event_time}, over a limit,
 * not an object), {@code schema} (does not fit the collection's declared table), {@code malformed}
 * (a Kafka record that is not a JSON document). A Kafka tailer also reports
 * {@code converge_tailer_lag_records} (tags {@code topic}, {@code collection}).
 */
public final class IngestMetrics {
  public static final String HTTP = "http";
  public static final String KAFKA = "kafka";
  public static final String SQL = "sql";
  public static final String INVALID = "invalid";
  public static final String SCHEMA = "schema";
  public static final String MALFORMED = "malformed";

  static final String INGESTED = "converge.documents.ingested";
  static final String REJECTED = "converge.documents.rejected";
  static final String TAILER_LAG = "converge.tailer.lag";

  private IngestMetrics() {}

  /** Counts {@code n} documents accepted into {@code collection} from {@code source}. */
  public static void ingested(String collection, String source, long n) {
    if (n > 0) {
      Counter.builder(INGESTED).description("documents accepted")
          .tags("collection", collection, "source", source)
          .register(ConvergeMetrics.registry()).increment(n);
    }
  }

  /**
   * Registers {@code converge_tailer_lag_records} of a tailer: the records of its topic not read
   * yet, {@code lag} of the tailer (negative while unknown: reported as NaN).
   */
  public static <T> Meter tailerLag(String topic, String collection, T tailer,
      ToLongFunction<T> lag) {
    return Gauge.builder(TAILER_LAG, tailer, t -> {
      long l = lag.applyAsLong(t);
      return l < 0 ? Double.NaN : l;
    }).description("records of the tailed topic not read yet").baseUnit("records")
        .tags("topic", topic, "collection", collection)
        .register(ConvergeMetrics.registry());
  }

  /** Removes a meter of a tailer that stopped. */
  public static void remove(Meter meter) {
    ConvergeMetrics.registry().remove(meter);
  }

  /** Counts {@code n} documents for {@code collection} refused for {@code reason}. */
  public static void rejected(String collection, String source, String reason, long n) {
    if (n > 0) {
      Counter.builder(REJECTED).description("documents refused")
          .tags("collection", collection, "source", source, "reason", reason)
          .register(ConvergeMetrics.registry()).increment(n);
    }
  }
}
