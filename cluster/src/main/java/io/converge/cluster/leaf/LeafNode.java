package io.converge.cluster.leaf;

import io.converge.cluster.fragment.FragmentExecutor;
import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.LeafAnnouncement;
import io.converge.cluster.metrics.TimedFragmentExecutor;
import io.converge.cluster.transport.LeafFlightServer;
import io.converge.server.metrics.MetricsHttpServer;
import io.converge.server.metrics.StoreMetrics;
import io.converge.storage.ConvergeStore;
import io.converge.storage.StoreOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leaf process's parts: its store (one RocksDB, a collection per shard, writes not synced: see
 * {@link #STORE}), the applier of its replica group's share of the log, the announcer on
 * {@code converge.leaves}, the fragment executor and, when given, the fragment endpoint (the
 * transport) over it, and when {@link LeafOptions#httpPort()} asks for it a {@code GET /metrics}
 * port ({@link MetricsHttpServer}).
 */
public final class LeafNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeafNode.class);
  /**
   * Writes are not synced. The leaf is a replica of Kafka and each write carries its partition's
   * next offset, so after an operating system crash RocksDB recovers a prefix of the writes (its
   * point-in-time WAL recovery) and the leaf re-reads the rest from the log; a process crash
   * loses nothing (the WAL is in the page cache). Synced, every partition of every poll would
   * wait for an fsync: the largest part of the time from Kafka's acknowledgement to visible.
   */
  static final StoreOptions STORE = StoreOptions.defaults().syncWrites(false);

  private final LeafOptions options;
  private final String leafId;
  private final ConvergeStore store;
  private final LeafShards shards;
  private final CatalogLog catalog;
  private final LeafAnnouncer announcer;
  private final ShardFragmentExecutor executor;
  /** {@link #executor} timed: what the endpoint and callers of {@link #executor()} run. */
  private final FragmentExecutor timedExecutor;
  private final LogApplier applier;
  private final StoreMetrics storeMetrics;
  private final LeafMetrics leafMetrics;
  private MetricsHttpServer metricsServer;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private FragmentEndpoint endpoint;
  private boolean closed;

  private LeafNode(LeafOptions options, String leafId, ConvergeStore store, CatalogLog catalog) {
    this.options = options;
    this.leafId = leafId;
    this.store = store;
    this.shards = new LeafShards(store);
    this.catalog = catalog;
    this.announcer = new LeafAnnouncer(options.bootstrap(), leafId, options.replicaGroup(),
        options.host(), shards);
    this.executor = new ShardFragmentExecutor(leafId, shards);
    this.timedExecutor = new TimedFragmentExecutor(executor);
    this.applier = new LogApplier(options.bootstrap(), options.replicaGroup(), leafId, shards,
        catalog, announcer);
    announcer.port(options.port());
    this.storeMetrics = StoreMetrics.register(store);
    this.leafMetrics = new LeafMetrics(leafId, shards);
  }

  /** Starts a leaf with no fragment endpoint of its own: it announces {@code options.port()}. */
  public static LeafNode start(LeafOptions options) {
    return start(options, null);
  }

  /** Starts a leaf whose fragment endpoint is Arrow Flight ({@link LeafFlightServer}). */
  public static LeafNode startServingFlight(LeafOptions options) {
    return start(options, (host, port, executor) -> {
      LeafFlightServer server = LeafFlightServer.start(host, port, executor);
      return new FragmentEndpoint() {
        @Override
        public int port() {
          return server.port();
        }

        @Override
        public void close() {
          server.close();
        }
      };
    });
  }

  /**
   * Starts a leaf: opens its store, creates the cluster topics if missing, starts the fragment
   * endpoint (when {@code endpoints} is not null) and announces the port it bound, then joins its
   * replica group and applies its partitions.
   */
  public static LeafNode start(LeafOptions options, FragmentEndpoint.Factory endpoints) {
    String id = LeafId.of(options.dataDir(), options.replicaGroup());
    ClusterTopicSetup.ensure(options.bootstrap());
    ConvergeStore store = ConvergeStore.open(options.dataDir(), STORE);
    LeafNode leaf;
    CatalogLog catalog = null;
    try {
      catalog = CatalogLog.open(options.bootstrap());
      leaf = new LeafNode(options, id, store, catalog);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      store.close();
      throw new IllegalStateException("interrupted while reading the catalog", e);
    } catch (RuntimeException e) {
      if (catalog != null) {
        catalog.close();
      }
      store.close();
      throw e;
    }
    try {
      // alongside the group join and the catch-up; no shard serves before it ends, so that no
      // query meets the leaf cold
      leaf.shards.coldUntilWarmedUp();
      Thread warmUp = new Thread(() -> {
        try {
          LeafWarmUp.run(leaf.executor, id);
        } finally {
          leaf.shards.warmedUp();
        }
      }, "converge-leaf-warm-up");
      warmUp.setDaemon(true);
      warmUp.start();
      if (endpoints != null) {
        leaf.endpoint = endpoints.start(options.host(), options.port(), leaf.timedExecutor);
        leaf.announcer.port(leaf.endpoint.port());
      }
      if (options.httpPort() != LeafOptions.NO_HTTP) {
        leaf.metricsServer = MetricsHttpServer.start(options.host(), options.httpPort(),
            Map.of(LeafHttpHandler.PATH, new LeafHttpHandler(leaf)));
        leaf.announcer.metricsPort(leaf.metricsServer.port());
      }
      leaf.announcer.announce();
      leaf.applier.start();
    } catch (IOException | RuntimeException e) {
      leaf.close();
      throw new IllegalStateException("leaf " + id + " did not start: " + e.getMessage(), e);
    }
    LOG.info("leaf {} of replica group {} started on {} (fragments at {}:{}{})", id,
        options.replicaGroup(), options.dataDir(), options.host(), leaf.announcer.current().port(),
        leaf.metricsServer == null ? "" : ", metrics at http://" + options.host() + ":"
            + leaf.metricsServer.port() + "/metrics");
    return leaf;
  }

  public String leafId() {
    return leafId;
  }

  /** What the transport calls to answer fragments (timed into the leaf's metrics). */
  public FragmentExecutor executor() {
    return timedExecutor;
  }

  /** The port of the leaf's {@code GET /metrics}, or -1 when it serves none. */
  public int metricsPort() {
    MetricsHttpServer m = metricsServer;
    return m == null ? LeafOptions.NO_HTTP : m.port();
  }

  public LeafOptions options() {
    return options;
  }

  /** What the leaf announces now. */
  public LeafAnnouncement announcement() {
    return announcer.current();
  }

  /** The partitions of a collection its consumer owns now, sorted. */
  public List<Integer> assignedPartitions(String collection) {
    List<Integer> out = new ArrayList<>();
    for (LeafShard s : shards.assigned()) {
      if (s.collection().equals(collection)) {
        out.add(s.partition());
      }
    }
    out.sort(null);
    return out;
  }

  /** Records applied (including skipped malformed ones) since start. */
  public long appliedRecords() {
    return applier.appliedRecords();
  }

  /** Records skipped as malformed since start. */
  public long malformedRecords() {
    return applier.malformedRecords();
  }

  /** Records of one collection applied since start (malformed ones included). */
  public long appliedRecords(String collection) {
    long n = 0;
    for (LeafShard s : shards.all()) {
      n += s.collection().equals(collection) ? s.appliedRecords() : 0;
    }
    return n;
  }

  /** Records of one collection skipped as malformed since start. */
  public long malformedRecords(String collection) {
    long n = 0;
    for (LeafShard s : shards.all()) {
      n += s.collection().equals(collection) ? s.malformedRecords() : 0;
    }
    return n;
  }

  /**
   * Starts leaving the cluster ({@link LogApplier#drain}): the leaf serves its partitions until
   * the other leaves of its replica group serve them, then stops applying, and
   * {@link #awaitStopped} returns. Idempotent; returns at once.
   */
  public void drain() {
    LOG.info("leaf {}: asked to drain", leafId);
    applier.drain();
    announcer.announce();
  }

  /** Whether {@link #drain} was asked. */
  public boolean draining() {
    return applier.draining();
  }

  /**
   * Takes a RocksDB checkpoint of the leaf's store (every shard it holds, each with the offset it
   * applied up to, in one consistent image) into {@code to}, which must not exist. Applying is
   * held while it is taken, so the offsets returned are those in the checkpoint.
   *
   * @return per shard held: collection, partition and the next offset in the checkpoint
   */
  public synchronized List<CheckpointedShard> checkpoint(Path to) throws InterruptedException {
    boolean held = applier.paused();
    applier.pause(true);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!applier.paused() && applier.isRunning() && System.nanoTime() < deadline) {
      Thread.sleep(5); // the applier holds at its next poll, after the batch it is writing
    }
    try {
      store.checkpoint(to);
      List<CheckpointedShard> out = new ArrayList<>();
      for (LeafShard s : shards.all()) {
        out.add(new CheckpointedShard(s.collection(), s.partition(), s.nextOffset()));
      }
      out.sort(java.util.Comparator.comparing(CheckpointedShard::collection)
          .thenComparingInt(CheckpointedShard::partition));
      LOG.info("leaf {}: checkpoint of {} shards written to {}", leafId, out.size(), to);
      return out;
    } finally {
      applier.pause(held);
    }
  }

  /** A shard in a checkpoint, with the next offset it holds. */
  public record CheckpointedShard(String collection, int partition, long nextOffset) {}

  /** Holds or resumes applying the log (tests: {@link LogApplier#pause}). */
  void pauseApplying(boolean value) {
    applier.pause(value);
  }

  /** Whether applying is held now. */
  boolean applyingPaused() {
    return applier.paused();
  }

  /** Why the leaf stopped applying the log by itself, or null. */
  public Throwable failure() {
    return applier.failure();
  }

  /** Blocks until the leaf is closed or stopped applying the log. */
  public void awaitStopped() throws InterruptedException {
    while (!stopped.await(1, TimeUnit.SECONDS)) {
      if (!applier.isRunning()) {
        return;
      }
    }
  }

  /** Like {@link #awaitStopped()}, at most {@code timeout}; false when still running. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!stopped.await(Math.min(100, Math.max(1,
        TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))), TimeUnit.MILLISECONDS)) {
      if (!applier.isRunning()) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stops cleanly: stops applying the log (the batch being written completes), closes the
   * endpoint, writes the null announcement, closes the store. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    applier.close();
    if (endpoint != null) {
      try {
        endpoint.close();
      } catch (Exception e) {
        LOG.warn("leaf {}: closing the fragment endpoint: {}", leafId, e.toString());
      }
    }
    executor.close();
    if (metricsServer != null) {
      metricsServer.close();
    }
    leafMetrics.close();
    storeMetrics.close();
    announcer.retract(Duration.ofSeconds(5));
    announcer.close();
    catalog.close();
    store.close();
    stopped.countDown();
    LOG.info("leaf {} stopped", leafId);
  }
}
