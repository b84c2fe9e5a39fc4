package io.converge.cluster.aggregator.write;

/**
 * Whether a collection holds a document, as the aggregator's queries see it: a {@code DELETE
 * /v1/collections/{name}/docs/{id}} of a document that does not exist answers 404 as on one
 * process.
 */
@FunctionalInterface
public interface DocumentLookup {
  /** @throws RuntimeException when the cluster cannot answer (the request then fails) */
  boolean exists(String collection, String id);
}
