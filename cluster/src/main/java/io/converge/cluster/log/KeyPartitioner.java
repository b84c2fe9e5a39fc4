package io.converge.cluster.log;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of a document: the one Kafka's default partitioner picks for its {@code _id} key
 * (murmur2 of the UTF-8 bytes, made positive, modulo the partition count). The aggregator routes
 * {@code _id} lookups with it; producers leave partitioning to Kafka, which computes the same.
 */
public final class KeyPartitioner {
  private KeyPartitioner() {}

  public static int partitionOf(String id, int partitions) {
    return partitionOf(id.getBytes(StandardCharsets.UTF_8), partitions);
  }

  public static int partitionOf(byte[] key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }
}
