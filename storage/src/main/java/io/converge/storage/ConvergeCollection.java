package io.converge.storage;

import io.converge.storage.encoding.DocumentCodec;
import io.converge.storage.encoding.KeySpace;
import io.converge.storage.encoding.Keys;
import io.converge.storage.index.CollectionState;
import io.converge.storage.index.SegmentSealer;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentFlattener;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.schema.DeclaredSchema;
import io.converge.storage.schema.DeclaredSchemaException;
import io.converge.storage.write.BatchWriter;
import io.converge.storage.write.WriteSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import org.roaringbitmap.RoaringBitmap;
import org.rocksdb.ColumnFamilyHandle;
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
  /** The key spaces a {@link BatchWriter} reads and writes, in this collection's store. */
  private final BatchWriter.KeySpaces keySpaces = new BatchWriter.KeySpaces() {
    @Override
    public ColumnFamilyHandle family(KeySpace space) {
      return store.cf(space);
    }

    @Override
    public List<byte[]> multiGet(KeySpace space, List<byte[]> keys) throws RocksDBException {
      if (keys.isEmpty()) {
        return List.of(); // a batch of offsets alone; RocksDB refuses an empty multi-get
      }
      return store.db().multiGetAsList(Collections.nCopies(keys.size(), store.cf(space)), keys);
    }

    @Override
    public StoreException failure(String what, RocksDBException e) {
      return store.failure(what, e);
    }
  };
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
    return write(m, SourceOffsets.none());
  }

  /** Deletes by {@code _id}; returns how many existed. */
  public int delete(List<String> ids) {
    List<Mutation> m = new ArrayList<>(ids.size());
    for (String i : ids) {
      m.add(Mutation.delete(i));
    }
    return write(m, SourceOffsets.none()).deleted();
  }

  /**
   * Applies mutations in order as one atomic batch, together with the sources' next offsets
   * ({@code offsets}, may be null or empty): both are stored or neither is. The batch is in the
   * WAL when this returns, and on disk too unless the store was opened without synced writes
   * ({@link StoreOptions#syncWrites()}).
   */
  public WriteSummary write(List<Mutation> mutations, SourceOffsets offsets) {
    DeclaredSchema schemaOfTable = declared;
    if (schemaOfTable != null) {
      mutations = conform(schemaOfTable, mutations);
    }
    writeLock.lock();
    try {
      checkOpen();
      return writeLocked(mutations, offsets);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * The next offset of {@code source} as last committed with {@link #write(List, SourceOffsets)},
   * or empty when no batch of this collection carried one.
   *
   * @throws IllegalArgumentException for an empty or malformed source name
   */
  public OptionalLong sourceOffset(String source) {
    SourceOffsets.validateName(source);
    store.checkOpen();
    try {
      byte[] v = store.db().get(store.catalogCf(), Keys.catalogSource(id, source));
      return v == null ? OptionalLong.empty() : OptionalLong.of(Keys.readLong(v, 0));
    } catch (RocksDBException e) {
      throw store.failure("reading the offset of source '" + source + "'", e);
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

  private WriteSummary writeLocked(List<Mutation> mutations, SourceOffsets offsets) {
    BatchWriter writer = new BatchWriter(keySpaces, id, state, live, tail);
    writer.prepare(mutations);
    WriteSummary summary;
    boolean ok = false;
    try (WriteBatch batch = new WriteBatch()) {
      summary = writer.build(batch, offsets);
      tail = writer.tail();
      commitSeq++; // odd: readers now wait for (or take the lock behind) this commit
      store.db().write(store.writeOptions(), batch);
      ok = true;
    } catch (RocksDBException e) {
      throw store.failure("writing a batch to collection '" + name + "'", e);
    } finally {
      if (ok) {
        Map<Integer, RoaringBitmap> next = new HashMap<>(live);
        next.putAll(writer.touchedLive());
        live = next;
        schema = state.freeze();
        for (TailSegment full : writer.filled()) {
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
    return summary;
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
      store.db().write(store.writeOptions(), batch);
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
}
