package io.converge.cluster.cli;

/**
 * The options a local cluster was started with (kept in {@code cluster.json}).
 *
 * @param leaves leaves per replica group
 * @param replicas replica groups ({@code g0} .. {@code g<replicas-1>})
 * @param partitions partitions of a new collection's topic
 * @param port the (first) aggregator's Avatica/HTTP port; further aggregators take the next ports
 * @param users the aggregator's users file (absolute), or null with {@code noAuth}
 * @param noAuth whether the aggregator serves without authentication
 * @param kafka an existing Kafka's bootstrap servers, or null for a broker under DIR/kafka
 * @param leafHeap a leaf's -Xmx
 * @param aggregatorHeap the aggregator's -Xmx
 * @param kafkaHeap the local broker's -Xmx
 * @param aggregators aggregator processes (0 in a file written before there could be several: 1)
 */
public record ClusterSettings(int leaves, int replicas, int partitions, int port, String users,
    boolean noAuth, String kafka, String leafHeap, String aggregatorHeap, String kafkaHeap,
    int aggregators) {

  public ClusterSettings {
    if (aggregators == 0) {
      aggregators = 1;
    }
    if (aggregators < 1 || aggregators > 16) {
      throw new IllegalArgumentException("--aggregators must be between 1 and 16, got "
          + aggregators);
    }
    if ((long) port + aggregators - 1 > 65535) {
      throw new IllegalArgumentException("--port " + port + " leaves no room for "
          + aggregators + " aggregators");
    }
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

  /** The HTTP port of aggregator {@code i} (0-based). */
  int aggregatorPort(int i) {
    return port + i;
  }

  static String group(int g) {
    return "g" + g;
  }
}
