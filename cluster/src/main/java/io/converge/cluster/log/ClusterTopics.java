package io.converge.cluster.log;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The names of the cluster's Kafka topics and consumer groups, and the storage source name of a
 * partition: every role derives them here, so a leaf, an aggregator and a tailer started on
 * different machines agree on them.
 *
 * <ul>
 *   <li>{@code converge.data.<collection>}: one compacted topic per collection, keyed by
 *       {@code _id}, value = the JSON document, null = delete; its partitions are the shards;
 *   <li>{@code converge.catalog}: compacted, keyed by collection name ({@link CatalogEntry});
 *   <li>{@code converge.leaves}: compacted, keyed by leaf id ({@link LeafAnnouncement});
 *   <li>consumer group {@code converge.leaves.<replica group>}: one per replica group.
 * </ul>
 */
public final class ClusterTopics {
  public static final String DATA_PREFIX = "converge.data.";
  public static final String CATALOG = "converge.catalog";
  public static final String LEAVES = "converge.leaves";
  public static final String LEAF_GROUP_PREFIX = "converge.leaves.";
  /** Partitions of a collection topic when the catalog does not say (cluster start's default). */
  public static final int DEFAULT_PARTITIONS = 16;

  private ClusterTopics() {}

  /**
   * The topic of a collection. Kafka allows {@code [a-zA-Z0-9._-]} in 249 characters, collection
   * names allow far more: other characters (and '%' itself) are written as {@code %XX} of their
   * UTF-8 bytes, '.' as "%2E" so that no two names map to one topic. Names are case-sensitive in
   * the catalog and in Kafka alike.
   */
  public static String dataTopic(String collection) {
    StringBuilder b = new StringBuilder(DATA_PREFIX);
    for (byte x : collection.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '-';
      if (plain) {
        b.append((char) c);
      } else {
        b.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    if (b.length() > 249) {
      throw new IllegalArgumentException("collection name '" + collection + "' is too long for a "
          + "Kafka topic name (" + b.length() + " of 249 characters once encoded)");
    }
    return b.toString();
  }

  /** The collection of a data topic, or null when the topic is not one. */
  public static String collectionOf(String topic) {
    if (!topic.startsWith(DATA_PREFIX)) {
      return null;
    }
    String enc = topic.substring(DATA_PREFIX.length());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(enc.length());
    for (int i = 0; i < enc.length(); i++) {
      char c = enc.charAt(i);
      if (c == '%' && i + 2 < enc.length()) {
        out.write(Integer.parseInt(enc.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The consumer group of a replica group's leaves. */
  public static String leafGroup(String replicaGroup) {
    return LEAF_GROUP_PREFIX + replicaGroup;
  }

  /** The source name under which a shard stores its next offset ({@code SourceOffsets}). */
  public static String source(String topic, int partition) {
    return "kafka:" + topic + ":" + partition;
  }

  /** The leaf-local collection that holds one shard (a partition of a collection). */
  public static String shardCollection(String collection, int partition) {
    return collection + "#" + partition;
  }
}
