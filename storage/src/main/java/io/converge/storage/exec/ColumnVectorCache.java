package io.converge.storage.exec;

import io.converge.storage.encoding.ColumnVector;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoded sealed column segments, shared by every query of every store of the process
 * ({@link #PROCESS}: one budget however many data directories are open), least recently used
 * first out, bounded by an estimate of their heap size. A scan or aggregate over hot columns then folds
 * primitive arrays instead of copying a segment out of RocksDB and decoding it each time, and a
 * needle query reads the few rows it wants straight out of them (needles decide when to decode
 * a segment for that: {@link #decodeRather}).
 *
 * <p>Entries never go stale: a sealed segment's column key is written once, by the batch that
 * seals it, and a collection id is never reused in a store (dropping a collection, or closing a
 * store, removes its entries only to free the memory). Entries are scoped by store and collection
 * ({@link #scope}). A segment sealed after a query's snapshot was taken is read from memory by
 * that query, never through here. Absent columns are cached too ({@link #ABSENT}). The open
 * (in-memory) tail segment's columns are cached too, one vector per column, valid for the row
 * count it was converted at.
 *
 * <p>The capacity is {@value #CAPACITY_PROPERTY} (bytes; 0 turns the cache off), by default an
 * eighth of the maximum heap. A vector larger than a quarter of the capacity is not kept.
 */
public final class ColumnVectorCache {
  static final String CAPACITY_PROPERTY = "converge.columnCacheBytes";
  /** Cached "this segment has no such column". */
  public static final ColumnVector ABSENT = ColumnVector.of(new Object[0], 0);
  /** The process's cache. */
  public static final ColumnVectorCache PROCESS = fromSystemProperty();

  /** A sealed segment's column ({@code segment} >= 0) or an in-memory tail's (-1 - segment). */
  private record Key(long scope, int field, int segment) {}

  /**
   * A cached vector; for an in-memory tail, converted from its first {@code tailCount} rows
   * (which never change: the tail only grows), so it serves views of exactly that many rows.
   */
  private record Entry(ColumnVector vector, int tailCount) {}

  /** The scope of one collection of one store (stores are numbered per process). */
  public static long scope(int store, int collection) {
    return ((long) store << 32) | (collection & 0xFFFFFFFFL);
  }

  /**
   * Decoding one column segment (65,536 values) costs about as much as reading this many rows
   * of the segment from the row store (a multi-get and a partial decode of each document): about
   * 0.9 ms against about 3 us a row, for a string column, less for numbers.
   */
  static final int DECODE_COST_ROWS = 256;
  /** Segments whose row-store reads are counted at most (the least recently read go first). */
  static final int MAX_DEMANDS = 16_384;

  /** One sealed segment of one collection, as read from the row store. */
  private record Demand(long scope, int segment) {}

  private final long capacity;
  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
  /** Rows read from the row store per sealed segment since its columns were last decoded. */
  private final LinkedHashMap<Demand, long[]> demands = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Demand, long[]> eldest) {
      return size() > MAX_DEMANDS;
    }
  };
  private long used;
  private long hits;
  private long misses;

  ColumnVectorCache(long capacity) {
    this.capacity = Math.max(0, capacity);
  }

  static ColumnVectorCache fromSystemProperty() {
    return new ColumnVectorCache(Long.getLong(CAPACITY_PROPERTY,
        Runtime.getRuntime().maxMemory() / 8));
  }

  /** The cached vector, {@link #ABSENT}, or null when not cached. */
  public synchronized ColumnVector get(long scope, int field, int segment) {
    Entry e = entries.get(new Key(scope, field, segment));
    if (e == null) {
      misses++;
      return null;
    }
    hits++;
    return e.vector();
  }

  /**
   * The vector of an in-memory tail segment's first {@code count} rows, when that is what was
   * cached (repeated queries of a collection not being written convert its tail once).
   */
  public synchronized ColumnVector getTail(long scope, int field, int segment, int count) {
    Entry e = entries.get(new Key(scope, field, -1 - segment));
    return e != null && e.tailCount() == count ? e.vector() : null;
  }

  /** Caches a tail's vector, in place of the one of another row count. */
  public void putTail(long scope, int field, int segment, int count, ColumnVector v) {
    put(new Key(scope, field, -1 - segment), new Entry(v, count));
  }

  /** Whether a vector is cached without counting a hit or refreshing it. */
  public synchronized boolean contains(long scope, int field, int segment) {
    return entries.containsKey(new Key(scope, field, segment));
  }

  public void put(long scope, int field, int segment, ColumnVector v) {
    put(new Key(scope, field, segment), new Entry(v, -1));
  }

  private synchronized void put(Key key, Entry entry) {
    long size = entry.vector().estimatedBytes();
    if (size > capacity / 4) {
      return;
    }
    Entry old = entries.put(key, entry);
    if (old != null) {
      used -= old.vector().estimatedBytes();
    }
    used += size;
    Iterator<Entry> eldest = entries.values().iterator();
    while (used > capacity && eldest.hasNext()) {
      used -= eldest.next().vector().estimatedBytes();
      eldest.remove();
    }
  }

  /**
   * Whether a query wanting {@code rows} rows of a sealed segment, {@code uncached} of whose
   * wanted columns are not cached, should decode those columns into the cache rather than read
   * the rows from the row store. A rent-or-buy rule: row-store reads are counted per segment, and
   * once they add up to what decoding the uncached columns costs ({@link #DECODE_COST_ROWS} rows
   * a column), the columns are decoded, at most about twice what the cheaper choice would have
   * cost in hindsight. A needle repeated over the same segments thus pays the row store once or
   * twice, then reads cached vectors; a one-off needle never decodes a segment for a few rows.
   * False when the cache is off.
   */
  public synchronized boolean decodeRather(long scope, int segment, int rows, int uncached) {
    if (uncached <= 0) {
      return true;
    }
    if (capacity == 0) {
      return false;
    }
    Demand key = new Demand(scope, segment);
    long[] read = demands.computeIfAbsent(key, k -> new long[1]);
    read[0] += rows;
    if (read[0] < (long) DECODE_COST_ROWS * uncached) {
      return false;
    }
    demands.remove(key);
    return true;
  }

  /** Removes one collection's entries. */
  public synchronized void dropScope(long scope) {
    dropIf(k -> k.scope() == scope);
    demands.keySet().removeIf(d -> d.scope() == scope);
  }

  /** Removes every entry of one store. */
  public synchronized void dropStore(int store) {
    dropIf(k -> (int) (k.scope() >>> 32) == store);
    demands.keySet().removeIf(d -> (int) (d.scope() >>> 32) == store);
  }

  private void dropIf(java.util.function.Predicate<Key> which) {
    Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Key, Entry> e = it.next();
      if (which.test(e.getKey())) {
        used -= e.getValue().vector().estimatedBytes();
        it.remove();
      }
    }
  }

  synchronized void clear() {
    entries.clear();
    demands.clear();
    used = 0;
  }

  synchronized long usedBytes() {
    return used;
  }

  long capacity() {
    return capacity;
  }

  public synchronized String describe() {
    return String.format(java.util.Locale.ROOT, "%d vectors, %.1f of %.1f MB, %d hits, %d misses",
        entries.size(), used / 1e6, capacity / 1e6, hits, misses);
  }
}
