/**
 * The fragment transport over Apache Arrow Flight: {@link
 * io.converge.cluster.transport.LeafFlightServer} serves a leaf's {@link
 * io.converge.cluster.fragment.FragmentExecutor} (ticket = encoded {@link
 * io.converge.cluster.fragment.FragmentRequest}, stream = Arrow record batches), {@link
 * io.converge.cluster.transport.FlightFragmentTransport} opens those streams from an aggregator,
 * and {@link io.converge.cluster.transport.ArrowRows} is the one encoding of rows in Arrow.
 */
package io.converge.cluster.transport;
