package io.converge.cluster.aggregator;

import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.LeafEndpoint;
import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.FieldStats;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What an aggregator knows of the cluster: the catalog (collections), the leaves (from their
 * announcements and their consumer groups' membership) and so the merged schema of every
 * collection and which live leaf serves each partition. Thread-safe; kept current in the
 * background.
 */
public interface ClusterView extends AutoCloseable {
  /** The collections of the catalog, by name. */
  Map<String, CatalogEntry> collections();

  /** A collection's merged schema: the sum over its partitions of their field statistics. */
  MergedSchema schema(String collection);

  /**
   * Changes whenever the catalog or a collection's merged schema version changes: cached plans
   * are valid while it is equal.
   */
  Object stamp();

  /**
   * For each wanted partition, one live leaf that holds it (in a replica group preferred by the
   * caller when given, else any), grouped by leaf.
   *
   * @param preferredGroup a replica group to prefer, or null
   * @throws FragmentException {@code UNAVAILABLE} naming the partitions no live leaf holds
   */
  Map<LeafEndpoint, List<Integer>> route(String collection, Collection<Integer> partitions,
      String preferredGroup) throws FragmentException;

  /**
   * {@link #route}, passing over the leaves in {@code avoid} (ones that just failed a fragment:
   * a killed leaf stays a member until its session times out) wherever another replica holds
   * the partition; a partition only avoided leaves hold is routed to them all the same.
   */
  default Map<LeafEndpoint, List<Integer>> route(String collection,
      Collection<Integer> partitions, String preferredGroup, java.util.Set<String> avoid)
      throws FragmentException {
    return route(collection, partitions, preferredGroup);
  }

  /** The {@code GET /v1/cluster} answer: leaves, their groups, partitions, offsets and lag. */
  Map<String, Object> status();

  /** The leaves' latest announcements by leaf id (what a backup asks leaves by); none if unknown. */
  default Map<String, io.converge.cluster.log.LeafAnnouncement> announcements() {
    return Map.of();
  }

  @Override
  void close();

  /**
   * @param version changes when the fields or their type masks change
   * @param documentCount live documents over all partitions
   * @param nextOffsets per partition, the next offset of the shard the count and fields are
   *     taken from (everything below it is counted)
   */
  record MergedSchema(long version, long documentCount, List<FieldStats> fields,
      Map<Integer, Long> nextOffsets) {
    public MergedSchema(long version, long documentCount, List<FieldStats> fields) {
      this(version, documentCount, fields, Map.of());
    }
  }
}
