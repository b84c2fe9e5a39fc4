package io.converge.cluster.aggregator.view;

import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.LeafEndpoint;
import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.ClusterAdmin;
import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.FieldStats;
import io.converge.cluster.log.LeafAnnouncement;
import io.converge.cluster.log.LeavesFollower;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ClusterView} of an aggregator, kept from Kafka alone: the catalog topic
 * ({@link CatalogLog}), the leaves' announcements on {@link ClusterTopics#LEAVES} (latest per leaf
 * id) and, polled about every second, the membership of the replica groups' consumer groups. A
 * leaf serves partition p of a collection when its consumer group member (group.instance.id = leaf
 * id) is alive with p in its assignment and its announcement lists p as assigned; during a
 * rebalance the two can disagree for a moment: a rebalancing group's members keep their last
 * listed partitions ({@link GroupMembership}), and a partition no member is seen serving goes to a
 * live leaf that announces it serving ({@link LeafState#claims}).
 */
public final class KafkaClusterView implements ClusterView {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterView.class);
  private static final long POLL_MILLIS = 1_000;

  private final CatalogLog catalog;
  private final Admin admin;
  private final LeavesFollower leaves;
  private final ScheduledExecutorService poller;
  private final boolean ownsCatalog;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Map<String, LeafAnnouncement> announcements = Map.of();
  private volatile Map<String, Set<String>> members = Map.of();
  private final MembershipGrace grace = new MembershipGrace();
  private Snapshot snapshot;

  private KafkaClusterView(String bootstrap, CatalogLog catalog, boolean ownsCatalog)
      throws InterruptedException {
    this.catalog = catalog;
    this.ownsCatalog = ownsCatalog;
    this.admin = ClusterAdmin.admin(bootstrap);
    try {
      ClusterAdmin.ensureCompactedTopic(admin, ClusterTopics.LEAVES, 1);
      this.leaves = new LeavesFollower(bootstrap, a -> announcements = a);
    } catch (RuntimeException | InterruptedException e) {
      admin.close(Duration.ofSeconds(5));
      throw e;
    }
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "converge-leaf-liveness");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens a view of the cluster at {@code bootstrap}: returns once the catalog and the
   * announcements written so far are read and the groups were described once.
   */
  public static KafkaClusterView open(String bootstrap) throws InterruptedException {
    CatalogLog catalog = CatalogLog.open(bootstrap);
    try {
      return open(bootstrap, catalog, true);
    } catch (RuntimeException | InterruptedException e) {
      catalog.close();
      throw e;
    }
  }

  /** As {@link #open(String)} over a catalog the caller owns (and closes). */
  public static KafkaClusterView open(String bootstrap, CatalogLog catalog)
      throws InterruptedException {
    return open(bootstrap, catalog, false);
  }

  private static KafkaClusterView open(String bootstrap, CatalogLog catalog, boolean owns)
      throws InterruptedException {
    KafkaClusterView view = new KafkaClusterView(bootstrap, catalog, owns);
    try {
      view.leaves.start();
      if (!view.leaves.awaitCaughtUp(Duration.ofSeconds(30))) {
        throw new IllegalStateException("the leaves topic was not read within 30 s");
      }
      view.announcements = view.leaves.latest();
      view.pollMembers();
      view.poller.scheduleWithFixedDelay(view::pollMembersQuietly, POLL_MILLIS, POLL_MILLIS,
          TimeUnit.MILLISECONDS);
      return view;
    } catch (RuntimeException | InterruptedException e) {
      view.close();
      throw e;
    }
  }

  /** The catalog this view follows. */
  public CatalogLog catalog() {
    return catalog;
  }

  private void pollMembers() throws InterruptedException {
    members = grace.apply(members, GroupMembership.members(admin, 5_000, members), announcements,
        System.currentTimeMillis());
  }

  private void pollMembersQuietly() {
    try {
      pollMembers();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // keep the last membership: a leaf is not dead because Kafka was slow to answer once
      LOG.warn("leaf liveness not refreshed: {}", e.getMessage());
    }
  }

  @Override
  public Map<String, CatalogEntry> collections() {
    return catalog.collections();
  }

  /** Unknown collections have an empty schema of version 0. */
  @Override
  public MergedSchema schema(String collection) {
    MergedSchema s = snapshot().schemas.get(collection);
    return s != null ? s : new MergedSchema(0, 0, List.of());
  }

  @Override
  public Object stamp() {
    return snapshot().stamp;
  }

  @Override
  public Map<LeafEndpoint, List<Integer>> route(String collection, Collection<Integer> partitions,
      String preferredGroup) throws FragmentException {
    return route(collection, partitions, preferredGroup, Set.of());
  }

  @Override
  public Map<LeafEndpoint, List<Integer>> route(String collection, Collection<Integer> partitions,
      String preferredGroup, Set<String> avoid) throws FragmentException {
    LeafState state = state(announcements, members);
    String topic = ClusterTopics.dataTopic(collection);
    Map<LeafEndpoint, List<Integer>> out = new LinkedHashMap<>();
    List<Integer> unserved = new ArrayList<>();
    Set<String> heard = null; // asked once, when a partition has more than one server
    for (int p : new TreeSet<>(partitions)) {
      List<LeafAnnouncement> servers = new ArrayList<>();
      for (LeafAnnouncement a : state.announcements().values()) {
        if (state.serves(a, topic, collection, p)) {
          servers.add(a);
        }
      }
      if (servers.isEmpty()) {
        for (LeafAnnouncement a : state.announcements().values()) {
          if (state.claims(a, collection, p)) {
            servers.add(a);
          }
        }
      }
      if (servers.isEmpty()) {
        unserved.add(p);
        continue;
      }
      if (servers.stream().anyMatch(a -> !avoid.contains(a.leafId()))) {
        servers.removeIf(a -> avoid.contains(a.leafId()));
      }
      if (servers.size() > 1) {
        if (heard == null) {
          heard = leaves.heardWithin(LeafState.SILENT_MILLIS);
        }
        LeafState.preferHeard(servers, heard);
      }
      // never answer from a replica that is behind another live one: a shard being rebuilt, or
      // catching up after a restart, would return documents older than its twin's
      long newest = -1;
      for (LeafAnnouncement a : servers) {
        newest = Math.max(newest, nextOffset(a, collection, p));
      }
      long freshest = newest;
      servers.removeIf(a -> nextOffset(a, collection, p) < freshest);
      List<LeafAnnouncement> preferred = servers.stream()
          .filter(a -> a.replicaGroup().equals(preferredGroup)).toList();
      List<LeafAnnouncement> pool = new ArrayList<>(preferred.isEmpty() ? servers : preferred);
      pool.sort(Comparator.comparing(LeafAnnouncement::leafId));
      // spread the partitions of a collection over the replicas that hold them
      LeafAnnouncement chosen = pool.get(Math.floorMod(p + collection.hashCode(), pool.size()));
      out.computeIfAbsent(new LeafEndpoint(chosen.leafId(), chosen.host(), chosen.port()),
          k -> new ArrayList<>()).add(p);
    }
    if (!unserved.isEmpty()) {
      throw new FragmentException(FragmentException.Kind.UNAVAILABLE, "no live leaf serves "
          + "partition" + (unserved.size() == 1 ? " " : "s ") + unserved + " of collection '"
          + collection + "' (" + state.members().size() + " live leaves); a restarted leaf "
          + "serves again once its replica group has reassigned its partitions and it has caught up "
          + "with the log");
    }
    return out;
  }

  /** Whom the follower heard lately matters only for draining leaves: asked only then. */
  private LeafState state(Map<String, LeafAnnouncement> a, Map<String, Set<String>> m) {
    boolean draining = a.values().stream().anyMatch(LeafAnnouncement::draining);
    return new LeafState(a, m, draining ? leaves.heardWithin(LeafState.HEARD_MILLIS) : Set.of());
  }

  private static long nextOffset(LeafAnnouncement a, String collection, int partition) {
    for (LeafAnnouncement.Shard sh : a.shards()) {
      if (sh.partition() == partition && sh.collection().equals(collection)) {
        return sh.nextOffset();
      }
    }
    return -1;
  }

  /** Recomputes the merged schemas when the announcements, the members or the catalog changed. */
  private synchronized Snapshot snapshot() {
    Map<String, LeafAnnouncement> a = announcements;
    Map<String, Set<String>> m = members;
    long generation = catalog.generation();
    Snapshot s = snapshot;
    if (s != null && s.announcements == a && s.members == m && s.generation == generation) {
      return s;
    }
    LeafState state = state(a, m);
    Map<String, MergedSchema> schemas = new TreeMap<>();
    Map<String, Long> stampVersions = new TreeMap<>();
    for (CatalogEntry e : catalog.collections().values()) {
      MergedSchema merged = merge(state, e);
      schemas.put(e.collection(), merged);
      stampVersions.put(e.collection(), merged.version());
    }
    snapshot = new Snapshot(a, m, generation, schemas, new Stamp(generation, stampVersions));
    return snapshot;
  }

  private MergedSchema merge(LeafState state, CatalogEntry entry) {
    String collection = entry.collection();
    String topic = ClusterTopics.dataTopic(collection);
    List<List<FieldStats>> parts = new ArrayList<>();
    Map<Integer, Long> nextOffsets = new TreeMap<>();
    long documents = 0;
    for (int p = 0; p < entry.partitions(); p++) {
      LeafAnnouncement.Shard best = null;
      int bestRank = -1;
      for (LeafAnnouncement a : state.announcements().values()) {
        for (LeafAnnouncement.Shard sh : a.shards()) {
          if (sh.partition() != p || !sh.collection().equals(collection)) {
            continue;
          }
          // serving beats assigned beats held by a live leaf beats a dead leaf's last word
          int rank = state.serves(a, topic, collection, p) ? 3 : state.present(a)
              ? (sh.assigned() ? 2 : 1) : 0;
          if (rank > bestRank || (rank == bestRank && sh.nextOffset() > best.nextOffset())) {
            best = sh;
            bestRank = rank;
          }
        }
      }
      if (best != null) {
        parts.add(best.fields() == null ? List.of() : best.fields());
        documents += best.documents();
        nextOffsets.put(p, best.nextOffset());
      }
    }
    List<FieldStats> fields = FieldStats.merge(parts);
    long version = FieldStats.shapeVersion(fields);
    return new MergedSchema(version, documents, fields, nextOffsets);
  }

  @Override
  public Map<String, LeafAnnouncement> announcements() {
    return announcements;
  }

  @Override
  public Map<String, Object> status() {
    long now = System.currentTimeMillis();
    LeafState state = state(announcements, members);
    Map<String, CatalogEntry> catalogNow = catalog.collections();
    Map<TopicPartition, Long> ends = endOffsets(catalogNow.values());
    List<Map<String, Object>> leafRows = new ArrayList<>();
    Map<String, Set<String>> servingLeaves = new TreeMap<>();
    Map<String, Set<Integer>> served = new TreeMap<>();
    // collection -> partition -> that partition's replicas, for the partition view
    Map<String, Map<Integer, List<Map<String, Object>>>> replicas = new TreeMap<>();
    List<LeafAnnouncement> sorted = new ArrayList<>(state.announcements().values());
    sorted.sort(Comparator.comparing(LeafAnnouncement::replicaGroup)
        .thenComparing(LeafAnnouncement::leafId));
    for (LeafAnnouncement a : sorted) {
      boolean alive = state.present(a);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", a.leafId());
      row.put("group", a.replicaGroup());
      row.put("endpoint", a.host() + ":" + a.port());
      row.put("metricsPort", a.metricsPort());
      row.put("pid", a.pid());
      row.put("alive", alive);
      row.put("updatedMillis", a.updatedMillis());
      List<Map<String, Object>> shards = new ArrayList<>();
      long lag = 0;
      long lagMillis = 0;
      int assigned = 0;
      int servingCount = 0;
      List<LeafAnnouncement.Shard> sh = new ArrayList<>(a.shards());
      sh.sort(Comparator.comparing(LeafAnnouncement.Shard::collection)
          .thenComparingInt(LeafAnnouncement.Shard::partition));
      for (LeafAnnouncement.Shard s : sh) {
        String topic = ClusterTopics.dataTopic(s.collection());
        boolean serving = state.serves(a, topic, s.collection(), s.partition());
        long end = Math.max(s.endOffset(),
            ends.getOrDefault(new TopicPartition(topic, s.partition()), -1L));
        long shardLag = Math.max(0, end - s.nextOffset());
        long shardLagMillis = lagMillis(s, shardLag, now - a.updatedMillis());
        Map<String, Object> shard = new LinkedHashMap<>();
        shard.put("collection", s.collection());
        shard.put("partition", s.partition());
        shard.put("assigned", s.assigned());
        shard.put("handingOff", s.handingOff());
        shard.put("serving", serving);
        shard.put("nextOffset", s.nextOffset());
        shard.put("endOffset", end);
        shard.put("lag", shardLag);
        shard.put("lagMillis", shardLagMillis);
        shard.put("documents", s.documents());
        shards.add(shard);
        if (s.assigned() || s.handingOff()) {
          assigned++;
          lag += shardLag;
          lagMillis = shardLagMillis < 0 || lagMillis < 0 ? -1 : Math.max(lagMillis, shardLagMillis);
        }
        if (serving) {
          servingCount++;
          servingLeaves.computeIfAbsent(s.collection(), k -> new TreeSet<>()).add(a.leafId());
          served.computeIfAbsent(s.collection(), k -> new TreeSet<>()).add(s.partition());
        }
        Map<String, Object> replica = new LinkedHashMap<>();
        replica.put("leaf", a.leafId());
        replica.put("group", a.replicaGroup());
        replica.put("alive", alive);
        replica.put("assigned", s.assigned());
        replica.put("handingOff", s.handingOff());
        replica.put("serving", serving);
        replica.put("nextOffset", s.nextOffset());
        replica.put("lag", shardLag);
        replica.put("lagMillis", shardLagMillis);
        replicas.computeIfAbsent(s.collection(), k -> new TreeMap<>())
            .computeIfAbsent(s.partition(), k -> new ArrayList<>()).add(replica);
      }
      row.put("state", LeafState.describe(alive, a.draining(), leaves.heardMillisAgo(a.leafId()),
          assigned, servingCount));
      row.put("lag", lag);
      row.put("lagMillis", lagMillis);
      row.put("partitions", shards);
      leafRows.add(row);
    }
    List<Map<String, Object>> collectionRows = new ArrayList<>();
    List<Map<String, Object>> partitionRows = new ArrayList<>();
    for (CatalogEntry e : new TreeMap<>(catalogNow).values()) {
      Map<String, Object> row = new LinkedHashMap<>();
      List<Integer> unserved = new ArrayList<>();
      Set<Integer> s = served.getOrDefault(e.collection(), Set.of());
      for (int p = 0; p < e.partitions(); p++) {
        if (!s.contains(p)) {
          unserved.add(p);
        }
        Map<String, Object> partition = new LinkedHashMap<>();
        partition.put("collection", e.collection());
        partition.put("partition", p);
        partition.put("endOffset", ends.getOrDefault(
            new TopicPartition(ClusterTopics.dataTopic(e.collection()), p), -1L));
        partition.put("served", s.contains(p));
        partition.put("replicas", replicas.getOrDefault(e.collection(), Map.of())
            .getOrDefault(p, List.of()));
        partitionRows.add(partition);
      }
      row.put("name", e.collection());
      row.put("partitions", e.partitions());
      row.put("documents", schema(e.collection()).documentCount());
      row.put("servingLeaves", List.copyOf(servingLeaves.getOrDefault(e.collection(), Set.of())));
      row.put("unservedPartitions", unserved);
      row.put("declaredSchema", e.declaredSchema() != null);
      collectionRows.add(row);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("leaves", leafRows);
    out.put("collections", collectionRows);
    out.put("partitions", partitionRows);
    return out;
  }

  /**
   * A shard's lag in milliseconds now: 0 without a record lag; else what it announced plus the
   * time since it announced (records that arrived since then waited at most that long); -1 when
   * not known.
   */
  static long lagMillis(LeafAnnouncement.Shard s, long lagRecords, long sinceAnnounced) {
    if (lagRecords == 0) {
      return 0;
    }
    return s.lagMillis() < 0 ? -1 : s.lagMillis() + Math.max(0, sinceAnnounced);
  }

  /** The data topics' end offsets now, or none when Kafka does not answer quickly. */
  private Map<TopicPartition, Long> endOffsets(Collection<CatalogEntry> entries) {
    Map<TopicPartition, OffsetSpec> want = new HashMap<>();
    for (CatalogEntry e : entries) {
      for (int p = 0; p < e.partitions(); p++) {
        want.put(new TopicPartition(ClusterTopics.dataTopic(e.collection()), p),
            OffsetSpec.latest());
      }
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    if (want.isEmpty()) {
      return out;
    }
    try {
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> got =
          admin.listOffsets(want).all().get(3, TimeUnit.SECONDS);
      got.forEach((tp, info) -> out.put(tp, info.offset()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("end offsets not read: {}", e.toString());
    }
    return out;
  }

  /** Idempotent: a role's shutdown hook and its normal exit may both close it. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    poller.shutdownNow();
    leaves.close();
    admin.close(Duration.ofSeconds(5));
    if (ownsCatalog) {
      catalog.close();
    }
  }

  /** Plans cached under an equal stamp are valid. */
  record Stamp(long catalogGeneration, Map<String, Long> schemaVersions) {}

  private record Snapshot(Map<String, LeafAnnouncement> announcements,
      Map<String, Set<String>> members, long generation, Map<String, MergedSchema> schemas,
      Stamp stamp) {}
}
