package io.converge.cluster.leaf;

import io.converge.cluster.log.ClusterTopics;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.schema.DeclaredSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shards in a leaf's store, by collection and partition: the ones found on disk at start
 * (unassigned until the consumer is given them) and the ones created on assignment.
 */
final class LeafShards {
  private final ConvergeStore store;
  private final Map<String, LeafShard> byName = new ConcurrentHashMap<>();
  /** False while the leaf warms its query paths: until then no shard starts to serve. */
  private volatile boolean warm = true;

  LeafShards(ConvergeStore store) {
    this.store = store;
    for (String name : store.collectionNames()) {
      int hash = name.lastIndexOf('#');
      if (hash <= 0) {
        continue;
      }
      int partition;
      try {
        partition = Integer.parseInt(name.substring(hash + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      byName.put(name, new LeafShard(name.substring(0, hash), partition, store.collection(name),
          this::warm));
    }
  }

  /** No shard starts to serve until {@link #warmedUp}: the leaf's query paths are still cold. */
  void coldUntilWarmedUp() {
    warm = false;
  }

  void warmedUp() {
    warm = true;
  }

  boolean warm() {
    return warm;
  }

  /** The shard, or null when the leaf has never held it. */
  LeafShard get(String collection, int partition) {
    return byName.get(ClusterTopics.shardCollection(collection, partition));
  }

  /**
   * The shard, created empty when missing: with {@code declared} (a {@code CREATE TABLE}
   * collection's schema, may be null) as its declared schema.
   */
  synchronized LeafShard getOrCreate(String collection, int partition, DeclaredSchema declared) {
    String name = ClusterTopics.shardCollection(collection, partition);
    LeafShard s = byName.get(name);
    if (s != null) {
      return s;
    }
    ConvergeCollection c = store.collection(name);
    if (c == null) {
      c = declared == null ? store.getOrCreate(name) : store.create(name, declared);
    }
    s = new LeafShard(collection, partition, c, this::warm);
    byName.put(name, s);
    return s;
  }

  Collection<LeafShard> all() {
    return byName.values();
  }

  List<LeafShard> assigned() {
    List<LeafShard> out = new ArrayList<>();
    for (LeafShard s : byName.values()) {
      if (s.assigned()) {
        out.add(s);
      }
    }
    return out;
  }
}
