package io.converge.storage;

import io.converge.storage.encoding.DocumentCodec;
import io.converge.storage.encoding.Keys;
import io.converge.storage.index.CollectionState;
import io.converge.storage.index.SegmentSealer;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentFlattener;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.schema.DeclaredSchema;
import io.converge.storage.schema.DeclaredSchemaException;
import io.converge.storage.write.WriteSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.roaringbitmap.RoaringBitmap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collection of JSON documents and its converged index: pk, row store, column segments,
 * inverted index and live bitmaps. Writes are serialized by one lock and committed as one atomic
 * RocksDB {@link WriteBatch}; reads go through {@link CollectionSnapshot}s that see one
 * consistent state of every index.
 */
public final class ConvergeCollection {
  private static final Logger LOG = LoggerFactory.getLogger(ConvergeCollection.class);
  private final ConvergeStore store;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final int id;
  private final String name;

  // Writer state (guarded by writeLock).
  private CollectionState state;
  private TailSegment tail;
  /** Full segments still in memory, oldest first, waiting for the sealer thread. */
  private final List<TailSegment> sealing = new ArrayList<>();
  /** Segments below this number are sealed in RocksDB (column + inverted keys written). */
  private int sealedSegments;
  /** Held by the sealer while it writes, and by drop, so a drop never races a seal. */
  final ReentrantLock sealLock = new ReentrantLock();
  /** Segment -> live row offsets. Bitmaps are never mutated once published (copy on write). */
  private volatile Map<Integer, RoaringBitmap> live;
  private volatile CollectionSchema schema;
  private volatile boolean dropped;
  private volatile DeclaredSchema declared;
  /** What a reader needs besides the RocksDB snapshot; immutable, republished after each change. */
  private record ReadState(CollectionSchema schema, Map<Integer, RoaringBitmap> live,
      List<TailSegment.View> inMemory) {}

  private volatile ReadState published;
  /**
   * Odd while a batch is written to RocksDB and its state published (a sequence lock): a reader
   * that sees the same even value before and after taking its RocksDB snapshot has a published
   * state and a snapshot of the same commit, without waiting for the write lock, which a writer
   * holds while it builds a whole batch. Changed only under the write lock.
   */
  private volatile long commitSeq;
  /** Lets a test leave full segments unsealed, as a crash between a write and its seal would. */
  static volatile boolean skipSealsForTests;

  ConvergeCollection(ConvergeStore store, int id, String name) {
    this.store = store;
    this.id = id;
    this.name = name;
  }

  public String name() {
    return name;
  }

  int id() {
    return id;
  }

  /** The schema inferred so far (immutable; a new object after every write). */
  public CollectionSchema schema() {
    return schema;
  }

  public long documentCount() {
    return schema.documentCount();
  }

  /**
   * The schema the collection was created with ({@code CREATE TABLE}), or null for a schemaless
   * collection. Fixed for the collection's life.
   */
  public DeclaredSchema declared() {
    return declared;
  }

  /** Creates an empty collection's state (the caller writes it with the name entry). */
  void initEmpty(DeclaredSchema declared) {
    this.declared = declared;
    state = new CollectionState(id, name);
    tail = new TailSegment(0);
    sealing.clear();
    sealedSegments = 0;
    live = new HashMap<>();
    schema = state.freeze();
    publish();
  }

  /** Publishes the current state for {@link #snapshot()} (under the write lock, or at open). */
  private void publish() {
    List<TailSegment.View> inMemory = new ArrayList<>(sealing.size() + 1);
    for (TailSegment seg : sealing) {
      inMemory.add(seg.view());
    }
    inMemory.add(tail.view());
    published = new ReadState(schema, live, Collections.unmodifiableList(inMemory));
  }

  byte[] encodedState() {
    return state.encode();
  }

  /**
   * Loads state and live bitmaps, and rebuilds every unsealed segment (the tail, and full
   * segments whose seal had not been written) from the row store; full ones are queued to seal.
   */
  void load() throws RocksDBException {
    byte[] bytes = store.db().get(store.catalogCf(), Keys.catalogState(id));
    if (bytes == null) {
      throw new StoreException("catalog entry of collection '" + name + "' is missing");
    }
    CollectionState s = CollectionState.decode(id, bytes);
    byte[] declaredBytes = store.db().get(store.catalogCf(), Keys.catalogDeclared(id));
    this.declared = declaredBytes == null ? null : DeclaredSchema.decode(declaredBytes);
    byte[] sealedBytes = store.db().get(store.catalogCf(), Keys.catalogSealed(id));
    int sealed = sealedBytes == null ? 0 : Keys.readInt(sealedBytes, 0);
    Map<Integer, RoaringBitmap> liveMap = new HashMap<>();
    byte[] start = Keys.collectionStart(id);
    try (RocksIterator it = store.db().newIterator(store.liveCf())) {
      for (it.seek(start); it.isValid() && Keys.startsWith(it.key(), start); it.next()) {
        liveMap.put(Keys.readInt(it.key(), 4), SegmentSealer.deserialize(it.value()));
      }
    }
    int tailSegment = (int) (s.nextRid >>> TailSegment.SEGMENT_BITS);
    List<TailSegment> segments = new ArrayList<>();
    for (int seg = sealed; seg <= tailSegment; seg++) {
      TailSegment t = new TailSegment(seg);
      long used = Math.min(s.nextRid - t.baseRid(), TailSegment.SEGMENT_ROWS);
      if (used > 0) {
        t.extendTo((int) used - 1);
      }
      segments.add(t);
    }
    try (RocksIterator it = store.db().newIterator(store.rowCf())) {
      for (it.seek(Keys.row(id, (long) sealed << TailSegment.SEGMENT_BITS));
          it.isValid() && Keys.startsWith(it.key(), start); it.next()) {
        long rid = Keys.ridOfRowKey(it.key());
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) DocumentCodec.decode(it.value());
        appendToTail(segments.get(segmentOf(rid) - sealed), s, offsetOf(rid), doc);
      }
    }
    this.state = s;
    this.tail = segments.remove(segments.size() - 1);
    this.sealing.clear();
    this.sealing.addAll(segments);
    this.sealedSegments = sealed;
    this.live = liveMap;
    this.schema = s.freeze();
    publish();
    for (TailSegment full : segments) {
      store.submitSeal(() -> sealInBackground(full));
    }
  }

  private static void appendToTail(TailSegment t, CollectionState s, int offset,
      Map<String, Object> doc) {
    t.extendTo(offset);
    t.set(CollectionState.ID_FIELD, offset, doc.get("_id"));
    Object et = doc.get("_event_time");
    t.set(CollectionState.EVENT_TIME_FIELD, offset,
        et instanceof Long l ? Instant.ofEpochMilli(l) : null);
    DocumentFlattener.flatten(doc, (path, value) -> t.set(s.fieldId(path), offset, value));
  }

  /** Upserts documents in one atomic batch. */
  public WriteSummary upsert(List<PreparedDocument> docs) {
    List<Mutation> m = new ArrayList<>(docs.size());
    for (PreparedDocument d : docs) {
      m.add(Mutation.upsert(d));
    }
    return write(m, null);
  }

  /** Deletes by {@code _id}; returns how many existed. */
  public int delete(List<String> ids) {
    List<Mutation> m = new ArrayList<>(ids.size());
    for (String i : ids) {
      m.add(Mutation.delete(i));
    }
    return write(m, null).deleted();
  }

  /**
   * Applies mutations in order as one atomic, durable batch. {@code extraCatalog} entries (for
   * example a tailer's consumed offsets) are committed in the same batch.
   */
  public WriteSummary write(List<Mutation> mutations, Map<byte[], byte[]> extraCatalog) {
    DeclaredSchema schemaOfTable = declared;
    if (schemaOfTable != null) {
      mutations = conform(schemaOfTable, mutations);
    }
    writeLock.lock();
    try {
      checkOpen();
      return writeLocked(mutations, extraCatalog);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Every upsert of the batch conformed to the declared schema (coerced values, declared names,
   * the primary key's {@code _id}); the first document that does not fit refuses the whole batch
   * before anything is written. Deletes by {@code _id} of a table with a primary key take the
   * key's text as given.
   */
  private List<Mutation> conform(DeclaredSchema schemaOfTable, List<Mutation> mutations) {
    List<Mutation> out = new ArrayList<>(mutations.size());
    int n = 0;
    for (Mutation m : mutations) {
      n++;
      if (m instanceof Mutation.Upsert u) {
        try {
          out.add(Mutation.upsert(schemaOfTable.conform(u.document(), name)));
        } catch (DeclaredSchemaException e) {
          throw new DeclaredSchemaException((mutations.size() > 1 ? "document " + n + " of "
              + mutations.size() + " (_id " + u.document().id() + "): " : "") + e.getMessage()
              + "; nothing of this batch was written");
        }
      } else {
        out.add(m);
      }
    }
    return out;
  }

  private void checkOpen() {
    if (dropped) {
      throw new StoreException("collection '" + name + "' was dropped");
    }
    store.checkOpen();
  }

  private WriteSummary writeLocked(List<Mutation> mutations, Map<byte[], byte[]> extraCatalog) {
    // 1. Where does each _id live now? One multi-get for the whole batch.
    List<String> ids = new ArrayList<>(mutations.size());
    Map<String, Integer> firstIndex = new HashMap<>(capacityFor(mutations.size()));
    for (Mutation m : mutations) {
      if (firstIndex.putIfAbsent(m.id(), ids.size()) == null) {
        ids.add(m.id());
      }
    }
    // Without an _id twice in the batch, no mutation sees another's effect: the maps that track
    // versions written earlier in the batch stay empty.
    boolean repeats = ids.size() < mutations.size();
    List<byte[]> pkKeys = new ArrayList<>(ids.size());
    for (String i : ids) {
      pkKeys.add(Keys.pk(id, i));
    }
    Map<String, Long> current = new HashMap<>();
    List<Long> oldRids = new ArrayList<>(0);
    try {
      List<byte[]> found = store.db().multiGetAsList(
          Collections.nCopies(pkKeys.size(), store.pkCf()), pkKeys);
      for (int i = 0; i < found.size(); i++) {
        if (found.get(i) != null) {
          long rid = Keys.readLong(found.get(i), 0);
          current.put(ids.get(i), rid);
          oldRids.add(rid);
        }
      }
    } catch (RocksDBException e) {
      throw store.failure("reading the primary key index", e);
    }
    // 2. Old versions: their leaves are needed to take back their type counts.
    Map<Long, Map<String, Object>> oldDocs = readRows(oldRids);

    Map<Long, PreparedDocument> batchDocs = repeats ? new HashMap<>() : Map.of();
    List<TailSegment> filled = new ArrayList<>();
    Map<Integer, RoaringBitmap> touched = new TreeMap<>();
    List<byte[][]> pkPuts = new ArrayList<>();
    List<String> pkDeletes = new ArrayList<>();
    boolean[] found = new boolean[mutations.size()];
    int inserted = 0;
    int replaced = 0;
    int deleted = 0;
    int notFound = 0;
    boolean ok = false;
    try (WriteBatch batch = new WriteBatch()) {
      int mi = 0;
      for (Mutation m : mutations) {
        Long old = current.isEmpty() ? null : current.get(m.id());
        if (old != null) {
          retire(batch, old, repeats ? batchDocs.remove(old) : null, oldDocs.get(old), touched);
        }
        if (m instanceof Mutation.Upsert u) {
          PreparedDocument d = u.document();
          long rid = state.nextRid++;
          if (old != null) {
            replaced++;
          } else {
            inserted++;
          }
          // Without repeats mutation mi is _id mi of the multi-get: its pk key is built already.
          pkPuts.add(new byte[][] {repeats ? Keys.pk(id, d.id()) : pkKeys.get(mi),
              Keys.longBytes(rid)});
          batch.put(store.rowCf(), Keys.row(id, rid), d.row());
          liveFor(touched, segmentOf(rid)).add(offsetOf(rid));
          state.liveCount++;
          append(rid, d);
          if (repeats) {
            current.put(d.id(), rid);
            batchDocs.put(rid, d);
          }
          if (tail.isFull()) {
            filled.add(tail);
            tail = new TailSegment(tail.segment() + 1);
          }
        } else {
          if (old != null) {
            deleted++;
            found[mi] = true;
            pkDeletes.add(m.id());
            if (repeats) {
              current.remove(m.id());
            }
          } else {
            notFound++;
          }
        }
        mi++;
      }
      // Sorted keys insert faster into the memtable's skip list.
      pkPuts.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
      for (byte[][] kv : pkPuts) {
        batch.put(store.pkCf(), kv[0], kv[1]);
      }
      for (String deletedId : pkDeletes) {
        if (!repeats || !current.containsKey(deletedId)) { // not upserted again later in this batch
          batch.delete(store.pkCf(), Keys.pk(id, deletedId));
        }
      }
      for (Map.Entry<Integer, RoaringBitmap> e : touched.entrySet()) {
        batch.put(store.liveCf(), Keys.live(id, e.getKey()), SegmentSealer.serialize(e.getValue()));
      }
      if (extraCatalog != null) {
        for (Map.Entry<byte[], byte[]> e : extraCatalog.entrySet()) {
          batch.put(store.catalogCf(), e.getKey(), e.getValue());
        }
      }
      batch.put(store.catalogCf(), Keys.catalogState(id), state.encode());
      commitSeq++; // odd: readers now wait for (or take the lock behind) this commit
      store.db().write(store.syncWrite(), batch);
      ok = true;
    } catch (RocksDBException e) {
      throw store.failure("writing a batch to collection '" + name + "'", e);
    } finally {
      if (ok) {
        Map<Integer, RoaringBitmap> next = new HashMap<>(live);
        next.putAll(touched);
        live = next;
        schema = state.freeze();
        for (TailSegment full : filled) {
          sealing.add(full);
          store.submitSeal(() -> sealInBackground(full));
        }
        publish();
      } else {
        reloadAfterFailure();
      }
      if ((commitSeq & 1) != 0) {
        commitSeq++;
      }
    }
    return new WriteSummary(inserted, replaced, deleted, notFound, found);
  }

  /** A HashMap capacity that holds {@code n} entries without resizing. */
  private static int capacityFor(int n) {
    return (int) Math.min(1 << 30, n * 4L / 3 + 1);
  }

  private Map<Long, Map<String, Object>> readRows(List<Long> rids) {
    if (rids.isEmpty()) {
      return Map.of();
    }
    List<byte[]> keys = new ArrayList<>(rids.size());
    for (long r : rids) {
      keys.add(Keys.row(id, r));
    }
    try {
      List<byte[]> rows = store.db().multiGetAsList(
          Collections.nCopies(keys.size(), store.rowCf()), keys);
      Map<Long, Map<String, Object>> out = new HashMap<>();
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i) != null) {
          @SuppressWarnings("unchecked")
          Map<String, Object> doc = (Map<String, Object>) DocumentCodec.decode(rows.get(i));
          out.put(rids.get(i), doc);
        }
      }
      return out;
    } catch (RocksDBException e) {
      throw store.failure("reading the row store", e);
    }
  }

  private RoaringBitmap liveFor(Map<Integer, RoaringBitmap> touched, int segment) {
    return touched.computeIfAbsent(segment, s -> {
      RoaringBitmap b = live.get(s);
      return b == null ? new RoaringBitmap() : b.clone();
    });
  }

  /** Removes the version at {@code rid} from R and live, and takes back its type counts. */
  private void retire(WriteBatch batch, long rid, PreparedDocument inBatch,
      Map<String, Object> stored, Map<Integer, RoaringBitmap> touched) throws RocksDBException {
    batch.delete(store.rowCf(), Keys.row(id, rid));
    liveFor(touched, segmentOf(rid)).remove(offsetOf(rid));
    state.liveCount--;
    if (inBatch != null) {
      for (int i = 0; i < inBatch.paths().size(); i++) {
        state.count(state.fieldId(inBatch.paths().get(i)), inBatch.values().get(i), -1);
      }
      for (String p : inBatch.objectPaths()) {
        state.countObject(p, -1);
      }
    } else if (stored != null) {
      DocumentFlattener.flatten(stored, new DocumentFlattener.LeafConsumer() {
        @Override
        public void leaf(String path, Object value) {
          state.count(state.fieldId(path), value, -1);
        }

        @Override
        public void object(String path) {
          state.fieldId(path);
          state.countObject(path, -1);
        }
      });
    }
  }

  /** The last event time appended: documents of a batch often share one (the ingest time). */
  private Instant lastEventTime = Instant.EPOCH;

  private Instant eventTime(long millis) {
    if (lastEventTime.toEpochMilli() != millis) {
      lastEventTime = Instant.ofEpochMilli(millis);
    }
    return lastEventTime;
  }

  private void append(long rid, PreparedDocument d) {
    int offset = offsetOf(rid);
    tail.extendTo(offset);
    tail.set(CollectionState.ID_FIELD, offset, d.id());
    tail.set(CollectionState.EVENT_TIME_FIELD, offset, eventTime(d.eventTimeMillis()));
    for (int i = 0; i < d.paths().size(); i++) {
      int f = state.fieldId(d.paths().get(i));
      Object v = d.values().get(i);
      tail.set(f, offset, v);
      state.count(f, v, +1);
    }
    for (String p : d.objectPaths()) {
      state.fieldId(p);
      state.countObject(p, +1);
    }
  }

  /**
   * Seals one full segment: encodes its columns and postings (off the write lock, from the
   * immutable in-memory segment), writes them with the new seal mark in one batch, then lets
   * readers find the segment in RocksDB instead of memory. Runs on the store's sealer thread,
   * one segment at a time in order.
   */
  void sealInBackground(TailSegment full) {
    if (dropped || skipSealsForTests) {
      return;
    }
    long started = System.nanoTime();
    RoaringBitmap liveOffsets = live.get(full.segment());
    if (liveOffsets == null) {
      liveOffsets = new RoaringBitmap();
    }
    List<byte[][]> columns = new ArrayList<>();
    List<byte[][]> postings = new ArrayList<>();
    SegmentSealer.seal(id, full, liveOffsets, new SegmentSealer.Sink() {
      @Override
      public void column(byte[] key, byte[] value) {
        columns.add(new byte[][] {key, value});
      }

      @Override
      public void inverted(byte[] key, byte[] value) {
        postings.add(new byte[][] {key, value});
      }
    });
    sealLock.lock();
    try (WriteBatch batch = new WriteBatch()) {
      if (dropped) {
        return;
      }
      for (byte[][] kv : columns) {
        batch.put(store.columnCf(), kv[0], kv[1]);
      }
      for (byte[][] kv : postings) {
        batch.put(store.invertedCf(), kv[0], kv[1]);
      }
      batch.put(store.catalogCf(), Keys.catalogSealed(id), Keys.intBytes(full.segment() + 1));
      store.db().write(store.syncWrite(), batch);
    } catch (RocksDBException e) {
      // The segment stays in memory and is sealed again after the next open.
      store.failure("sealing segment " + full.segment() + " of '" + name + "'", e);
      return;
    } finally {
      sealLock.unlock();
    }
    int backlog;
    writeLock.lock();
    try {
      sealing.remove(full);
      sealedSegments = Math.max(sealedSegments, full.segment() + 1);
      backlog = sealing.size();
      // No sequence change: the sealed keys are in RocksDB already, and a reader holding the
      // segment in memory as well reads it from memory, as one that snapshotted during the seal.
      publish();
    } finally {
      writeLock.unlock();
    }
    LOG.debug("sealed segment {} of '{}' in {} ms: {} column keys, {} posting keys, {} waiting",
        full.segment(), name, (System.nanoTime() - started) / 1_000_000, columns.size(),
        postings.size(), backlog);
  }

  private void reloadAfterFailure() {
    try {
      load();
    } catch (RuntimeException | RocksDBException e) {
      store.markBroken("collection '" + name + "' could not be reloaded after a failed write: "
          + e.getMessage());
    }
  }

  /**
   * Opens a consistent read view of every index as of now (the last committed batch). Close it
   * when done. Does not wait for a batch being built; only for one being written to RocksDB.
   */
  public CollectionSnapshot snapshot() {
    checkOpen();
    for (int attempt = 0; attempt < 200; attempt++) {
      long seq = commitSeq;
      if ((seq & 1) == 0) {
        ReadState s = published;
        org.rocksdb.Snapshot rocks = store.db().getSnapshot();
        if (commitSeq == seq && !dropped) {
          return new CollectionSnapshot(store, id, s.schema(), s.live(), s.inMemory(), rocks);
        }
        store.db().releaseSnapshot(rocks);
        checkOpen();
      }
      java.util.concurrent.locks.LockSupport.parkNanos(50_000);
    }
    return lockedSnapshot();
  }

  private CollectionSnapshot lockedSnapshot() {
    writeLock.lock();
    try {
      checkOpen();
      List<TailSegment.View> inMemory = new ArrayList<>(sealing.size() + 1);
      for (TailSegment seg : sealing) {
        inMemory.add(seg.view());
      }
      inMemory.add(tail.view());
      return new CollectionSnapshot(store, id, schema, live, inMemory, store.db().getSnapshot());
    } finally {
      writeLock.unlock();
    }
  }

  void markDropped() {
    writeLock.lock();
    try {
      dropped = true;
    } finally {
      writeLock.unlock();
    }
  }

  static int segmentOf(long rid) {
    return (int) (rid >>> TailSegment.SEGMENT_BITS);
  }

  static int offsetOf(long rid) {
    return (int) (rid & (TailSegment.SEGMENT_ROWS - 1));
  }

  /** Reads one value written by {@code extraCatalog} (for example a tailer offset). */
  public byte[] catalogValue(byte[] key) {
    try {
      return store.db().get(store.catalogCf(), key);
    } catch (RocksDBException e) {
      throw store.failure("reading the catalog", e);
    }
  }
}
