package io.converge.server.metrics;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Gauges of one open {@link ConvergeStore}, tagged with its directory ({@code store}): RocksDB's
 * size on disk, compaction debt, estimated keys and memtable size (summed over the column
 * families), and the documents of each collection (on a leaf, of each shard such as
 * {@code orders#3}). Registered while the store is served and removed on {@link #close()}; a
 * gauge read after the store closed reports NaN rather than touching the closed database.
 */
public final class StoreMetrics implements AutoCloseable {
  /** RocksDB property -> metric name and base unit (null: a plain count). */
  private static final String[][] PROPERTIES = {
      {"rocksdb.total-sst-files-size", "converge.rocksdb.sst.files", "bytes"},
      {"rocksdb.estimate-pending-compaction-bytes", "converge.rocksdb.pending.compaction",
          "bytes"},
      {"rocksdb.cur-size-all-mem-tables", "converge.rocksdb.memtables", "bytes"},
      {"rocksdb.estimate-num-keys", "converge.rocksdb.estimated.keys", null},
  };
  static final String DOCUMENTS = "converge.collection.documents";

  private final MeterRegistry registry;
  private final ConvergeStore store;
  private final String storeTag;
  private final List<Meter> fixed = new ArrayList<>();
  private final Map<String, Meter> perCollection = new HashMap<>();
  private final Runnable refresh = this::refreshCollections;

  private StoreMetrics(MeterRegistry registry, ConvergeStore store) {
    this.registry = registry;
    this.store = store;
    this.storeTag = store.directory().toString();
  }

  /** Registers the gauges of {@code store} in the process's registry. */
  public static StoreMetrics register(ConvergeStore store) {
    StoreMetrics m = new StoreMetrics(ConvergeMetrics.registry(), store);
    for (String[] p : PROPERTIES) {
      String property = p[0];
      m.fixed.add(Gauge.builder(p[1], store, s -> value(s.longProperty(property)))
          .description("RocksDB property " + property + ", summed over the column families")
          .baseUnit(p[2])
          .tag("store", m.storeTag)
          .register(m.registry));
    }
    m.refreshCollections();
    ConvergeMetrics.beforeScrape(m.refresh);
    return m;
  }

  private static double value(OptionalLong v) {
    return v.isPresent() ? v.getAsLong() : Double.NaN;
  }

  /** Adds gauges for new collections and removes those of dropped ones. */
  private synchronized void refreshCollections() {
    Set<String> names = new HashSet<>(store.collectionNames());
    for (String name : names) {
      perCollection.computeIfAbsent(name, n -> Gauge.builder(DOCUMENTS, store, s -> {
        ConvergeCollection c = s.collection(n);
        return c == null ? Double.NaN : c.documentCount();
      }).description("documents in the collection (a leaf: in the shard)")
          .tags("store", storeTag, "collection", n)
          .register(registry));
    }
    perCollection.entrySet().removeIf(e -> {
      if (names.contains(e.getKey())) {
        return false;
      }
      registry.remove(e.getValue());
      return true;
    });
  }

  @Override
  public synchronized void close() {
    ConvergeMetrics.removeBeforeScrape(refresh);
    fixed.forEach(registry::remove);
    fixed.clear();
    perCollection.values().forEach(registry::remove);
    perCollection.clear();
  }
}
