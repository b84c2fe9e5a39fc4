package io.converge.cluster.leaf;

import java.nio.file.Path;

/**
 * How to start a leaf.
 *
 * @param bootstrap the Kafka bootstrap servers
 * @param dataDir the leaf's RocksDB directory (and its {@code leaf.id})
 * @param replicaGroup the replica group (consumer group {@code converge.leaves.<group>})
 * @param host the address to bind the fragment endpoint (and the metrics port) to and announce
 * @param port the fragment endpoint's port (0 = any free port)
 * @param httpPort the port of {@code GET /metrics} (0 = any free port, -1 = none)
 */
public record LeafOptions(String bootstrap, Path dataDir, String replicaGroup, String host,
    int port, int httpPort) {
  /** No metrics port. */
  public static final int NO_HTTP = -1;

  /** A leaf without a metrics port (embedded leaves, tests). */
  public LeafOptions(String bootstrap, Path dataDir, String replicaGroup, String host, int port) {
    this(bootstrap, dataDir, replicaGroup, host, port, NO_HTTP);
  }
}
