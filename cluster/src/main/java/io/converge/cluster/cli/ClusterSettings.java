package io.converge.cluster.cli;

/**
 * The options a local cluster was started with (kept in {@code cluster.json}).
 *
 * @param leaves leaves per replica group
 * @param replicas replica groups ({@code g0} .. {@code g<replicas-1>})
 * @param partitions partitions of a new collection's topic
 * @param port the aggregator's Avatica/HTTP port
 * @param users the aggregator's users file (absolute), or null with {@code noAuth}
 * @param noAuth whether the aggregator serves without authentication
 * @param kafka an existing Kafka's bootstrap servers, or null for a broker under DIR/kafka
 * @param leafHeap a leaf's -Xmx
 * @param aggregatorHeap the aggregator's -Xmx
 * @param kafkaHeap the local broker's -Xmx
 */
public record ClusterSettings(int leaves, int replicas, int partitions, int port, String users,
    boolean noAuth, String kafka, String leafHeap, String aggregatorHeap, String kafkaHeap) {

  public ClusterSettings {
    if (leaves < 1) {
      throw new IllegalArgumentException("--leaves must be at least 1, got " + leaves);
    }
    if (replicas < 1) {
      throw new IllegalArgumentException("--replicas must be at least 1, got " + replicas);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 1 and 65535, got " + port);
    }
    if (users != null && noAuth) {
      throw new IllegalArgumentException("--users and --no-auth exclude each other");
    }
    if (users == null && !noAuth) {
      throw new IllegalArgumentException("authentication is required: pass --users FILE "
          + "(create it with 'bin/converge user add --users FILE NAME --role admin'), or "
          + "--no-auth to let everyone who reaches the port read and write");
    }
  }

  static String group(int g) {
    return "g" + g;
  }
}
