package io.converge.cluster.aggregator;

import io.converge.server.ServerOptions;

/**
 * How to start an aggregator: the server options of a one-process server (host, port,
 * serialization, request and query limits; its data directory is unused) plus the cluster's Kafka.
 *
 * @param bootstrap the Kafka bootstrap servers
 * @param partitions partitions of a collection topic the aggregator creates
 */
public record AggregatorOptions(String bootstrap, ServerOptions server, int partitions) {}
