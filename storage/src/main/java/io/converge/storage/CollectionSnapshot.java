package io.converge.storage;

import io.converge.storage.encoding.ColumnSegmentCodec;
import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.DocumentCodec;
import io.converge.storage.encoding.DocumentPaths;
import io.converge.storage.encoding.KeySpace;
import io.converge.storage.encoding.Keys;
import io.converge.storage.encoding.SegmentStats;
import io.converge.storage.exec.ColumnAggregator;
import io.converge.storage.exec.ColumnVectorCache;
import io.converge.storage.exec.PredicateEvaluator;
import io.converge.storage.exec.SegmentSource;
import io.converge.storage.guard.QueryGuard;
import io.converge.storage.index.CollectionState;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentFlattener;
import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.schema.FieldInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * A consistent, read-only view of one collection: a RocksDB snapshot for the sealed column
 * segments, row store and inverted index, plus the live bitmaps and the in-memory segments as they
 * were at the same instant. Writes after it was opened are invisible to it. Not thread-safe; close
 * it exactly once.
 */
public final class CollectionSnapshot implements SegmentSource, AutoCloseable {
  /** Column names of the system fields, usable in {@link #scan}. */
  public static final String ID = "_id";
  public static final String EVENT_TIME = "_event_time";

  private final ConvergeStore store;
  private final int coll;
  private final CollectionSchema schema;
  private final Map<Integer, RoaringBitmap> live;
  /** Segments still in memory (unsealed full ones, then the tail), by segment number. */
  private final Map<Integer, TailSegment.View> inMemory = new HashMap<>();
  private final int lastSegment;
  private final Snapshot snapshot;
  private final ReadOptions readOptions;
  private boolean closed;
  private RoaringBitmap liveRids;
  /** Reads running on another thread for this view; {@link #close} waits for them. */
  private final List<java.util.concurrent.CompletableFuture<?>> background = new ArrayList<>();
  /** Stop conditions of the query reading through this view (checked once per segment). */
  private QueryGuard guard = QueryGuard.NONE;

  CollectionSnapshot(ConvergeStore store, int coll, CollectionSchema schema,
      Map<Integer, RoaringBitmap> live, List<TailSegment.View> inMemory, Snapshot snapshot) {
    this.store = store;
    this.coll = coll;
    this.schema = schema;
    this.live = live;
    for (TailSegment.View v : inMemory) {
      this.inMemory.put(v.segment(), v);
    }
    this.lastSegment = inMemory.get(inMemory.size() - 1).segment();
    this.snapshot = snapshot;
    this.readOptions = new ReadOptions().setSnapshot(snapshot).setVerifyChecksums(true);
  }

  @Override
  public CollectionSchema schema() {
    return schema;
  }

  /**
   * Makes this view's loops (scans, folds, index evaluation, top-N) check {@code g} once per
   * segment and count their materializations against it. Returns this view.
   */
  public CollectionSnapshot guard(QueryGuard g) {
    this.guard = g == null ? QueryGuard.NONE : g;
    return this;
  }

  /** The guard of the query reading through this view ({@link QueryGuard#NONE} when none). */
  @Override
  public QueryGuard guard() {
    return guard;
  }

  /** Live documents in this view. */
  public long count() {
    long n = 0;
    for (RoaringBitmap b : live.values()) {
      n += b.getLongCardinality();
    }
    return n;
  }

  /** Segments 0..tail (inclusive); the last one is the in-memory tail. */
  @Override
  public int segmentCount() {
    return lastSegment + 1;
  }

  /**
   * Streams the live documents in rid order, producing the values of {@code paths} (field paths,
   * {@code _id}, {@code _event_time}); a path no document has reads as null everywhere. Reads only
   * the column segments of the requested fields.
   */
  public RowCursor scan(List<String> paths) {
    int[] fieldIds = new int[paths.size()];
    for (int i = 0; i < fieldIds.length; i++) {
      fieldIds[i] = fieldId(paths.get(i));
    }
    return new RowCursor(this, fieldIds);
  }

  @Override
  public int fieldId(String path) {
    if (path.equals(ID)) {
      return CollectionState.ID_FIELD;
    }
    if (path.equals(EVENT_TIME)) {
      return CollectionState.EVENT_TIME_FIELD;
    }
    FieldInfo f = schema.field(path);
    return f == null ? -1 : f.id();
  }

  private RoaringBitmap liveOffsets(int segment) {
    return live.get(segment);
  }

  /** Rows written in a segment still in memory, or -1 for a sealed segment. */
  @Override
  public int inMemoryCount(int segment) {
    TailSegment.View v = inMemory.get(segment);
    return v == null ? -1 : v.count();
  }

  /** One field's values in one segment, indexed by row offset; null when the field is absent. */
  @Override
  public Object[] column(int fieldId, int segment) {
    if (fieldId < 0) {
      return null;
    }
    TailSegment.View v = inMemory.get(segment);
    if (v != null) {
      return v.column(fieldId);
    }
    ColumnVector sealed = vector(fieldId, segment);
    return sealed == null ? null : sealed.toObjects();
  }

  /**
   * One field's values in one segment in vector form (see {@link ColumnVector}); null when the
   * field is absent from the segment. In-memory segments are converted on the fly.
   */
  @Override
  public ColumnVector vector(int fieldId, int segment) {
    if (fieldId < 0) {
      return null;
    }
    TailSegment.View v = inMemory.get(segment);
    ColumnVectorCache cache = store.columnCache();
    if (v != null) {
      Object[] values = v.column(fieldId);
      if (values == null) {
        return null;
      }
      ColumnVector tail = cache.getTail(store.cacheScope(coll), fieldId, segment, v.count());
      if (tail == null) {
        tail = ColumnVector.ofTail(values, v.count());
        cache.putTail(store.cacheScope(coll), fieldId, segment, v.count(), tail);
      }
      return tail;
    }
    ColumnVector cached = cache.get(store.cacheScope(coll), fieldId, segment);
    if (cached != null) {
      return cached == ColumnVectorCache.ABSENT ? null : cached;
    }
    ColumnVector read = storedVector(fieldId, segment);
    cache.put(store.cacheScope(coll), fieldId, segment,
        read == null ? ColumnVectorCache.ABSENT : read);
    return read;
  }

  /** A sealed segment's column as stored, decoded afresh (not through the store's cache). */
  @Override
  public ColumnVector storedVector(int fieldId, int segment) {
    if (fieldId < 0) {
      return null;
    }
    try {
      byte[] bytes = store.db().get(store.columnCf(), readOptions,
          Keys.column(coll, fieldId, segment));
      return bytes == null ? null : ColumnSegmentCodec.decodeVector(bytes);
    } catch (RocksDBException e) {
      throw store.failure("reading a column segment", e);
    }
  }

  /**
   * Whether a query wanting {@code rows} rows of a sealed segment should read these fields from
   * their column vectors (cached, or decoded into the store's cache now) rather than from the row
   * store: when every vector is cached, or when the segment's row-store reads have added up to
   * what decoding the missing ones costs (see {@link ColumnVectorCache#decodeRather}).
   */
  boolean readsVectors(int[] fieldIds, int segment, int rows) {
    ColumnVectorCache cache = store.columnCache();
    long scope = store.cacheScope(coll);
    int uncached = 0;
    for (int f : fieldIds) {
      if (f >= 0 && !cache.contains(scope, f, segment)) {
        uncached++;
      }
    }
    return cache.decodeRather(scope, segment, rows, uncached);
  }

  /**
   * Min/max statistics of a sealed segment's column, or null when unknown (in-memory segment,
   * mixed types, or a segment sealed before statistics were kept).
   */
  @Override
  public SegmentStats stats(int fieldId, int segment) {
    if (fieldId < 0 || inMemory.containsKey(segment)) {
      return null;
    }
    try {
      byte[] bytes = store.db().get(store.columnCf(), readOptions,
          Keys.columnStats(coll, fieldId, segment));
      return bytes == null ? null : SegmentStats.decode(bytes);
    } catch (RocksDBException e) {
      throw store.failure("reading column statistics", e);
    }
  }

  /** Whether a segment is sealed, as seen by this view. */
  @Override
  public boolean isSealed(int segment) {
    return !inMemory.containsKey(segment);
  }

  /** The whole stored document with this {@code _id}, or null. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> document(String id) {
    if (!Keys.isWellFormed(id)) {
      return null; // never stored (see Keys.isWellFormed); its key would name another _id
    }
    try {
      byte[] ridBytes = store.db().get(store.pkCf(), readOptions, Keys.pk(coll, id));
      if (ridBytes == null) {
        return null;
      }
      byte[] row = store.db().get(store.rowCf(), readOptions,
          Keys.row(coll, Keys.readLong(ridBytes, 0)));
      return row == null ? null : (Map<String, Object>) DocumentCodec.decode(row);
    } catch (RocksDBException e) {
      throw store.failure("reading a document", e);
    }
  }

  /** Documents for several ids, in order, skipping ids that do not exist. */
  public List<Map<String, Object>> documents(List<String> ids) {
    List<Map<String, Object>> out = new ArrayList<>(ids.size());
    for (String i : ids) {
      Map<String, Object> d = document(i);
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }

  /** Rids (live, as of this snapshot) for which {@code predicate} is TRUE. */
  public RoaringBitmap select(io.converge.storage.query.Predicate predicate) {
    return new PredicateEvaluator(this).select(predicate);
  }

  /** A cheap estimate of how many rows {@link #select} would return (for cost models). */
  public long estimate(io.converge.storage.query.Predicate predicate) {
    return new PredicateEvaluator(this).estimate(predicate);
  }

  /** Like {@link #scan(List)}, restricted to {@code rids} (intersected with the live rows). */
  public RowCursor scan(List<String> paths, RoaringBitmap rids) {
    int[] fieldIds = new int[paths.size()];
    for (int i = 0; i < fieldIds.length; i++) {
      fieldIds[i] = fieldId(paths.get(i));
    }
    return new RowCursor(this, fieldIds, paths, rids);
  }

  /** Rids of the live documents with these {@code _id}s (absent ids are skipped). */
  public RoaringBitmap lookup(java.util.Collection<String> ids) {
    RoaringBitmap rids = new RoaringBitmap();
    try {
      for (String id : ids) {
        if (!Keys.isWellFormed(id)) {
          continue; // never stored; its key would name another _id
        }
        byte[] ridBytes = store.db().get(store.pkCf(), readOptions, Keys.pk(coll, id));
        if (ridBytes != null) {
          rids.add(SegmentSource.ridOf(Keys.readLong(ridBytes, 0)));
        }
      }
    } catch (RocksDBException e) {
      throw store.failure("looking up _id", e);
    }
    return rids;
  }

  /** Evaluates a GROUP BY over column segments, optionally restricted to {@code rids}. */
  public List<Object[]> aggregate(io.converge.storage.query.Aggregation aggregation,
      RoaringBitmap rids) {
    return new ColumnAggregator(this).aggregate(aggregation, rids);
  }

  /** Every live rid of this view, as one bitmap (computed once). */
  @Override
  public RoaringBitmap liveRids() {
    if (liveRids == null) {
      RoaringBitmap all = new RoaringBitmap();
      for (int seg = 0; seg < segmentCount(); seg++) {
        RoaringBitmap offsets = selectedOffsets(seg, null);
        if (!offsets.isEmpty()) {
          all.or(RoaringBitmap.addOffset(offsets, SegmentSource.segmentBase(seg)));
        }
      }
      liveRids = all;
    }
    return liveRids;
  }

  /**
   * The live row offsets of one segment (only rows written before this view for an in-memory
   * one), restricted to {@code rids} when not null; empty when none. Every reader goes through
   * this, so all of them see the same rows.
   */
  @Override
  public RoaringBitmap selectedOffsets(int segment, RoaringBitmap rids) {
    RoaringBitmap live = liveOffsets(segment);
    if (live == null || live.isEmpty()) {
      return new RoaringBitmap();
    }
    int written = inMemoryCount(segment);
    if (written >= 0 && written < TailSegment.SEGMENT_ROWS) {
      live = RoaringBitmap.and(live, RoaringBitmap.bitmapOfRange(0, written));
    }
    if (rids != null) {
      long base = SegmentSource.segmentBase(segment);
      RoaringBitmap inSegment = RoaringBitmap.and(rids,
          RoaringBitmap.bitmapOfRange(base, base + TailSegment.SEGMENT_ROWS));
      live = RoaringBitmap.and(live, RoaringBitmap.addOffset(inSegment, -base));
    }
    return live;
  }



  @Override
  public int collectionId() {
    return coll;
  }

  @Override
  public RocksIterator iterator(KeySpace space) {
    return store.db().newIterator(store.cf(space), readOptions);
  }

  @Override
  public byte[] get(KeySpace space, byte[] key) throws RocksDBException {
    return store.db().get(store.cf(space), readOptions, key);
  }

  @Override
  public StoreException failure(String what, RocksDBException e) {
    return store.failure(what, e);
  }

  /**
   * The values of {@code paths} for the given live offsets of a sealed segment, read from the row
   * store: result[path][k] is the k-th offset's value, in offset order.
   */
  @Override
  public Object[][] rowValues(int segment, RoaringBitmap offsets, List<String> paths) {
    int n = offsets.getCardinality();
    Object[][] out = new Object[paths.size()][n];
    List<byte[]> keys = new ArrayList<>(n);
    long base = SegmentSource.segmentBase(segment);
    offsets.forEach((int o) -> keys.add(Keys.row(coll, base + o)));
    DocumentPaths reader = new DocumentPaths(paths, DocumentFlattener::normalizeLeaf);
    Object[] values = new Object[paths.size()];
    try {
      List<byte[]> rows = store.db().multiGetAsList(readOptions,
          java.util.Collections.nCopies(n, store.rowCf()), keys);
      for (int k = 0; k < n; k++) {
        byte[] row = rows.get(k);
        if (row == null) {
          continue; // cannot happen for a live offset under this snapshot
        }
        reader.read(row, values);
        for (int i = 0; i < values.length; i++) {
          out[i][k] = values[i];
        }
      }
    } catch (RocksDBException e) {
      throw store.failure("reading the row store", e);
    }
    return out;
  }


  /**
   * Runs {@code read} on another thread (the common pool). {@link #close} waits for it, so the
   * RocksDB snapshot it reads under is never released under it.
   */
  <T> java.util.concurrent.CompletableFuture<T> readAsync(java.util.function.Supplier<T> read) {
    java.util.concurrent.CompletableFuture<T> f =
        java.util.concurrent.CompletableFuture.supplyAsync(read);
    synchronized (background) {
      background.removeIf(java.util.concurrent.CompletableFuture::isDone);
      background.add(f);
    }
    return f;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      List<java.util.concurrent.CompletableFuture<?>> running;
      synchronized (background) {
        running = new ArrayList<>(background);
        background.clear();
      }
      for (java.util.concurrent.CompletableFuture<?> f : running) {
        try {
          f.join();
        } catch (RuntimeException ignored) {
          // its reader is gone; only its end matters here
        }
      }
      readOptions.close();
      store.db().releaseSnapshot(snapshot);
    }
  }
}
