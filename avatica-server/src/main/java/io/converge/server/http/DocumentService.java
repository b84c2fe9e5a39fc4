package io.converge.server.http;

import io.converge.storage.schema.CollectionSchema;
import java.util.List;
import java.util.Map;

/**
 * Where the HTTP API's documents go and where its collection listings come from. {@link
 * ApiHandler} parses requests, applies the limits, rejects bad documents one by one and shapes
 * every answer; an implementation only stores and describes: {@link DocumentWrites} into a local
 * store, the cluster's aggregator into Kafka.
 */
public interface DocumentService {
  /**
   * Writes a request's accepted documents (in body order; at least one), creating the collection
   * when it does not exist. Returns only once every document is durable; throws when none of them
   * may be reported as written.
   */
  WriteOutcome upsert(String collection, List<AcceptedDocument> documents) throws ApiException;

  /**
   * Deletes one document and returns the answer's fields; 404 when the collection or the
   * document does not exist.
   */
  Map<String, Object> delete(String collection, String id) throws ApiException;

  /** Every collection with its live document count, in name order. */
  Map<String, Long> collections() throws ApiException;

  /** A collection's schema (count and fields); 404 when it does not exist. */
  CollectionSchema describe(String collection) throws ApiException;

  /**
   * Returns once the counts and schemas {@link #collections} and {@link #describe} answer include
   * the fence's offsets, or throws (503, retryable) when they do not within its wait; 404 for a
   * collection it names that does not exist. One process needs no wait: its writes are in its
   * store when answered (and carry no fence).
   */
  void awaitFence(FenceParameter fence) throws ApiException;

  /** The outcome of a request none of whose documents was accepted (nothing is written). */
  default WriteOutcome nothingWritten() {
    return new WriteOutcome(0, 0, null);
  }

  /**
   * True when {@link AcceptedDocument#source()} must be kept (the service writes the parsed
   * document rather than the prepared row); false lets the parsed maps go once prepared.
   */
  default boolean needsSources() {
    return false;
  }

  /**
   * Why every request must be refused with 503 now (the store broke), or null while usable.
   */
  default String unusableMessage() {
    return null;
  }
}
