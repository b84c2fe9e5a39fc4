/**
 * The leaf role: holds shards (one leaf-local collection per partition of a collection's topic),
 * applies its replica group's share of the log into them exactly once ({@code LogApplier}),
 * announces itself on {@code converge.leaves} ({@code LeafAnnouncer}) and answers query fragments
 * over its assigned shards ({@link io.converge.cluster.leaf.ShardFragmentExecutor}).
 * {@link io.converge.cluster.leaf.LeafNode} puts the parts together; the transport (Arrow Flight)
 * comes in through {@link io.converge.cluster.leaf.FragmentEndpoint.Factory}.
 */
package io.converge.cluster.leaf;
