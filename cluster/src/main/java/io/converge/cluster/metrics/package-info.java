/**
 * The cluster's metrics, counted into the process's {@link
 * io.converge.server.metrics.ConvergeMetrics} registry: fragment latency and failures on both
 * sides of the transport ({@link TimedFragmentExecutor} on a leaf, {@link TimedFragmentTransport}
 * per leaf on an aggregator) and the aggregator's fragment retries ({@link GatherMetrics}). A
 * leaf's per-partition gauges live with its shards ({@code leaf.LeafMetrics}).
 */
package io.converge.cluster.metrics;
