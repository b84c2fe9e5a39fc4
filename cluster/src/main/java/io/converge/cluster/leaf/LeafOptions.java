package io.converge.cluster.leaf;

import java.nio.file.Path;

/**
 * How to start a leaf.
 *
 * @param bootstrap the Kafka bootstrap servers
 * @param dataDir the leaf's RocksDB directory (and its {@code leaf.id})
 * @param replicaGroup the replica group (consumer group {@code converge.leaves.<group>})
 * @param host the address to bind the fragment endpoint to and announce
 * @param port the fragment endpoint's port (0 = any free port)
 */
public record LeafOptions(String bootstrap, Path dataDir, String replicaGroup, String host,
    int port) {}
