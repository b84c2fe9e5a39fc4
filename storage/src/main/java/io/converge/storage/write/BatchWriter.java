package io.converge.storage.write;

import io.converge.storage.Mutation;
import io.converge.storage.SourceOffsets;
import io.converge.storage.StoreException;
import io.converge.storage.encoding.DocumentCodec;
import io.converge.storage.encoding.KeySpace;
import io.converge.storage.encoding.Keys;
import io.converge.storage.index.CollectionState;
import io.converge.storage.index.SegmentSealer;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentFlattener;
import io.converge.storage.json.PreparedDocument;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.roaringbitmap.RoaringBitmap;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Turns one list of mutations of a collection into one RocksDB {@link WriteBatch}: row store,
 * primary key, live bitmaps, source offsets and the collection's state, while appending the new
 * versions to the in-memory tail segment and keeping the per-field type counts. One writer per
 * batch, used under the collection's write lock: {@link #prepare} reads what the batch replaces,
 * {@link #build} fills the batch. The caller commits the batch and then publishes
 * {@link #touchedLive()}, {@link #filled()} and {@link #tail()}; when the commit fails, the
 * collection's state (mutated here in place) must be reloaded.
 */
public final class BatchWriter {
  /** The key spaces a batch reads from and writes to. */
  public interface KeySpaces {
    ColumnFamilyHandle family(KeySpace space);

    /** The values of {@code keys} in one key space, in order (null where absent). */
    List<byte[]> multiGet(KeySpace space, List<byte[]> keys) throws RocksDBException;

    /** The error to throw for a failed read, naming what was being read. */
    StoreException failure(String what, RocksDBException e);
  }

  private final KeySpaces keySpaces;
  private final int coll;
  private final CollectionState state;
  /** Live offsets per segment before this batch (not modified: touched ones are copied). */
  private final Map<Integer, RoaringBitmap> live;
  private TailSegment tail;

  private final List<TailSegment> filled = new ArrayList<>();
  private final Map<Integer, RoaringBitmap> touched = new TreeMap<>();
  private final List<byte[][]> pkPuts = new ArrayList<>();
  private final List<String> pkDeletes = new ArrayList<>();
  /** The last event time appended: documents of a batch often share one (the ingest time). */
  private Instant lastEventTime = Instant.EPOCH;

  // What prepare found.
  private List<Mutation> mutations;
  /** Without an _id twice in the batch, no mutation sees another's effect. */
  private boolean repeats;
  /** The pk key of each distinct _id, in first-seen order. */
  private List<byte[]> pkKeys;
  /** _id -> its current rid; with repeats, updated as the batch goes. */
  private Map<String, Long> current;
  private Map<Long, Map<String, Object>> oldDocs;

  public BatchWriter(KeySpaces keySpaces, int coll, CollectionState state,
      Map<Integer, RoaringBitmap> live, TailSegment tail) {
    this.keySpaces = keySpaces;
    this.coll = coll;
    this.state = state;
    this.live = live;
    this.tail = tail;
  }

  /** Reads where each {@code _id} of the batch lives now, and the versions it replaces. */
  public void prepare(List<Mutation> batchMutations) {
    this.mutations = batchMutations;
    // 1. Where does each _id live now? One multi-get for the whole batch.
    List<Long> oldRids = locate();
    // 2. Old versions: their leaves are needed to take back their type counts.
    oldDocs = readRows(oldRids);
  }

  /**
   * Adds every change of the prepared mutations to {@code batch}: new and retired rows (3),
   * primary key entries and live bitmaps (4), then the source offsets and the collection's
   * state (5).
   */
  public WriteSummary build(WriteBatch batch, SourceOffsets offsets) throws RocksDBException {
    WriteSummary summary = applyMutations(batch);
    writePkAndLive(batch);
    writeCatalog(batch, offsets);
    return summary;
  }

  /** The in-memory segment new rows go to after this batch. */
  public TailSegment tail() {
    return tail;
  }

  /** Segments this batch filled, oldest first: they are ready to seal. */
  public List<TailSegment> filled() {
    return filled;
  }

  /** The new live bitmaps of the segments this batch changed. */
  public Map<Integer, RoaringBitmap> touchedLive() {
    return touched;
  }

  /** Step 1: the current rid of each distinct {@code _id}; returns the rids found. */
  private List<Long> locate() {
    List<String> ids = new ArrayList<>(mutations.size());
    Map<String, Integer> firstIndex = new HashMap<>(capacityFor(mutations.size()));
    for (Mutation m : mutations) {
      if (firstIndex.putIfAbsent(m.id(), ids.size()) == null) {
        ids.add(m.id());
      }
    }
    // Without an _id twice in the batch, no mutation sees another's effect: the maps that track
    // versions written earlier in the batch stay empty.
    repeats = ids.size() < mutations.size();
    pkKeys = new ArrayList<>(ids.size());
    for (String i : ids) {
      pkKeys.add(Keys.pk(coll, i));
    }
    current = new HashMap<>();
    List<Long> oldRids = new ArrayList<>(0);
    try {
      List<byte[]> found = keySpaces.multiGet(KeySpace.PK, pkKeys);
      for (int i = 0; i < found.size(); i++) {
        if (found.get(i) != null) {
          long rid = Keys.readLong(found.get(i), 0);
          current.put(ids.get(i), rid);
          oldRids.add(rid);
        }
      }
    } catch (RocksDBException e) {
      throw keySpaces.failure("reading the primary key index", e);
    }
    return oldRids;
  }

  /** A HashMap capacity that holds {@code n} entries without resizing. */
  private static int capacityFor(int n) {
    return (int) Math.min(1 << 30, n * 4L / 3 + 1);
  }

  /** Step 2: the stored documents at {@code rids}. */
  private Map<Long, Map<String, Object>> readRows(List<Long> rids) {
    if (rids.isEmpty()) {
      return Map.of();
    }
    List<byte[]> keys = new ArrayList<>(rids.size());
    for (long r : rids) {
      keys.add(Keys.row(coll, r));
    }
    try {
      List<byte[]> rows = keySpaces.multiGet(KeySpace.ROW, keys);
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
      throw keySpaces.failure("reading the row store", e);
    }
  }

  /**
   * Step 3: each mutation in order retires the version it replaces and writes its new row; the
   * primary key changes are collected for step 4.
   */
  private WriteSummary applyMutations(WriteBatch batch) throws RocksDBException {
    ColumnFamilyHandle rowCf = keySpaces.family(KeySpace.ROW);
    Map<Long, PreparedDocument> batchDocs = repeats ? new HashMap<>() : Map.of();
    boolean[] found = new boolean[mutations.size()];
    int inserted = 0;
    int replaced = 0;
    int deleted = 0;
    int notFound = 0;
    int mi = 0;
    for (Mutation m : mutations) {
      Long old = current.isEmpty() ? null : current.get(m.id());
      if (old != null) {
        retire(batch, old, repeats ? batchDocs.remove(old) : null, oldDocs.get(old));
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
        pkPuts.add(new byte[][] {repeats ? Keys.pk(coll, d.id()) : pkKeys.get(mi),
            Keys.longBytes(rid)});
        batch.put(rowCf, Keys.row(coll, rid), d.row());
        liveFor(segmentOf(rid)).add(offsetOf(rid));
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
    return new WriteSummary(inserted, replaced, deleted, notFound, found);
  }

  /** Step 4: primary key puts (sorted) and deletes, and the touched live bitmaps. */
  private void writePkAndLive(WriteBatch batch) throws RocksDBException {
    ColumnFamilyHandle pkCf = keySpaces.family(KeySpace.PK);
    // Sorted keys insert faster into the memtable's skip list.
    pkPuts.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    for (byte[][] kv : pkPuts) {
      batch.put(pkCf, kv[0], kv[1]);
    }
    for (String deletedId : pkDeletes) {
      if (!repeats || !current.containsKey(deletedId)) { // not upserted again later in this batch
        batch.delete(pkCf, Keys.pk(coll, deletedId));
      }
    }
    ColumnFamilyHandle liveCf = keySpaces.family(KeySpace.LIVE);
    for (Map.Entry<Integer, RoaringBitmap> e : touched.entrySet()) {
      batch.put(liveCf, Keys.live(coll, e.getKey()), SegmentSealer.serialize(e.getValue()));
    }
  }

  /** Step 5: the sources' next offsets and the collection's state, in the same batch. */
  private void writeCatalog(WriteBatch batch, SourceOffsets offsets) throws RocksDBException {
    ColumnFamilyHandle catalogCf = keySpaces.family(KeySpace.CATALOG);
    if (offsets != null) {
      for (Map.Entry<String, Long> e : offsets.asMap().entrySet()) {
        batch.put(catalogCf, Keys.catalogSource(coll, e.getKey()), Keys.longBytes(e.getValue()));
      }
    }
    batch.put(catalogCf, Keys.catalogState(coll), state.encode());
  }

  private RoaringBitmap liveFor(int segment) {
    return touched.computeIfAbsent(segment, s -> {
      RoaringBitmap b = live.get(s);
      return b == null ? new RoaringBitmap() : b.clone();
    });
  }

  /** Removes the version at {@code rid} from R and live, and takes back its type counts. */
  private void retire(WriteBatch batch, long rid, PreparedDocument inBatch,
      Map<String, Object> stored) throws RocksDBException {
    batch.delete(keySpaces.family(KeySpace.ROW), Keys.row(coll, rid));
    liveFor(segmentOf(rid)).remove(offsetOf(rid));
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

  private Instant eventTime(long millis) {
    if (lastEventTime.toEpochMilli() != millis) {
      lastEventTime = Instant.ofEpochMilli(millis);
    }
    return lastEventTime;
  }

  /** Appends a new version to the in-memory tail and counts its values' types. */
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

  private static int segmentOf(long rid) {
    return (int) (rid >>> TailSegment.SEGMENT_BITS);
  }

  private static int offsetOf(long rid) {
    return (int) (rid & (TailSegment.SEGMENT_ROWS - 1));
  }
}
