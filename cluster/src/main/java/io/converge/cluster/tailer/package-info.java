/**
 * Tailers of external Kafka topics into the cluster: each record re-keyed by {@code _id} into the
 * collection's data topic, exactly once (Kafka transactions).
 */
package io.converge.cluster.tailer;
