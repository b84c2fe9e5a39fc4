package io.converge.server.metrics;

import io.micrometer.core.instrument.Counter;

/**
 * Documents that entered a process, tagged with the collection and the {@code source}
 * ({@code http}: the HTTP API, {@code kafka}: a tailer): {@code converge_documents_ingested_total}
 * counts those accepted (on an aggregator: acknowledged by Kafka), and
 * {@code converge_documents_rejected_total} those refused, with a {@code reason}:
 * {@code invalid} (not a storable document: bad {@code _id} or {@code _event_time}, over a limit,
 * not an object), {@code schema} (does not fit the collection's declared table), {@code malformed}
 * (a Kafka record that is not a JSON document).
 */
public final class IngestMetrics {
  public static final String HTTP = "http";
  public static final String KAFKA = "kafka";
  public static final String INVALID = "invalid";
  public static final String SCHEMA = "schema";
  public static final String MALFORMED = "malformed";

  static final String INGESTED = "converge.documents.ingested";
  static final String REJECTED = "converge.documents.rejected";

  private IngestMetrics() {}

  /** Counts {@code n} documents accepted into {@code collection} from {@code source}. */
  public static void ingested(String collection, String source, long n) {
    if (n > 0) {
      Counter.builder(INGESTED).description("documents accepted")
          .tags("collection", collection, "source", source)
          .register(ConvergeMetrics.registry()).increment(n);
    }
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
