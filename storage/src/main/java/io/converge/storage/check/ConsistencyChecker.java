package io.converge.storage.check;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.DocumentCodec;
import io.converge.storage.encoding.KeySpace;
import io.converge.storage.encoding.Keys;
import io.converge.storage.encoding.SortableEncoding;
import io.converge.storage.exec.SegmentSource;
import io.converge.storage.index.CollectionState;
import io.converge.storage.index.Postings;
import io.converge.storage.index.SegmentSealer;
import io.converge.storage.schema.FieldInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.roaringbitmap.RoaringBitmap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Verifies that every index of a collection agrees with its row store, through one snapshot:
 * <ul>
 *   <li>row store vs live bitmaps: exactly the live rids have a row;
 *   <li>pk: every row's {@code _id} maps to that row's rid, and every pk entry to a live row;
 *   <li>sealed column segments: each live row's value in every field's column equals the value
 *       the row store's document holds (in-memory segments are rebuilt from the rows on open);
 *   <li>inverted index: for each sealed segment, each (field, value) posting, restricted to live
 *       rows, is exactly the set of live rows holding that value, with no extra postings.
 * </ul>
 * It reads everything once; a report lists the first problems found. One checker runs one check.
 */
public final class ConsistencyChecker {
  /** Problems kept in a report (the count goes on). */
  public static final int MAX_PROBLEMS = 100;

  /** What a check found for one collection. */
  public record Report(String collection, long rows, int sealedSegments, long columnValues,
      long postings, long problemCount, List<String> problems) {
    public boolean ok() {
      return problemCount == 0;
    }
  }

  private final ConvergeCollection collection;
  private final List<String> problems = new ArrayList<>();
  private long problemCount;
  private long rows;
  private int sealed;
  private long columnValues;
  private long postings;

  public ConsistencyChecker(ConvergeCollection collection) {
    this.collection = collection;
  }

  public Report check() {
    try (CollectionSnapshot s = collection.snapshot()) {
      RoaringBitmap live = s.liveRids();
      // 1. Rows vs live, and pk.
      checkRowsAndPk(s, live);
      // 2. Sealed segments: columns and postings against the documents.
      long[] expectedKeys = new long[s.segmentCount()];
      Map<Integer, String> pathOf = pathsById(s.schema().fields());
      for (int seg = 0; seg < s.segmentCount(); seg++) {
        if (s.isSealed(seg)) {
          sealed++;
          expectedKeys[seg] = checkSealedSegment(s, seg, pathOf);
        }
      }
      // 3. No posting of a sealed segment may name a live row beyond the expected ones.
      checkNoExtraPostings(s, expectedKeys);
      return new Report(collection.name(), rows, sealed, columnValues, postings, problemCount,
          List.copyOf(problems));
    }
  }

  /** Exactly the live rids have a row, each row's {@code _id} maps to it, and nothing more. */
  private void checkRowsAndPk(SegmentSource s, RoaringBitmap live) {
    int coll = s.collectionId();
    RoaringBitmap withRow = new RoaringBitmap();
    try (RocksIterator it = s.iterator(KeySpace.ROW)) {
      byte[] start = Keys.collectionStart(coll);
      for (it.seek(start); it.isValid() && Keys.startsWith(it.key(), start); it.next()) {
        long rid = Keys.ridOfRowKey(it.key());
        withRow.add(SegmentSource.ridOf(rid));
        rows++;
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) DocumentCodec.decode(it.value());
        Object id = doc.get(CollectionSnapshot.ID);
        byte[] pk = s.get(KeySpace.PK, Keys.pk(coll, String.valueOf(id)));
        if (pk == null || Keys.readLong(pk, 0) != rid) {
          problem("row " + rid + " (_id " + id + "): pk maps it to "
              + (pk == null ? "nothing" : "rid " + Keys.readLong(pk, 0)));
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw s.failure("checking the row store", e);
    }
    if (!withRow.equals(live)) {
      problem("live rows without a row: " + RoaringBitmap.andNot(live, withRow).getLongCardinality()
          + ", rows not live: " + RoaringBitmap.andNot(withRow, live).getLongCardinality());
    }
    long pkEntries = countKeys(s, KeySpace.PK);
    if (pkEntries != live.getLongCardinality()) {
      problem("pk has " + pkEntries + " entries for " + live.getLongCardinality() + " live rows");
    }
  }

  private static Map<Integer, String> pathsById(List<FieldInfo> fields) {
    Map<Integer, String> pathOf = new HashMap<>();
    pathOf.put(CollectionState.EVENT_TIME_FIELD, CollectionSnapshot.EVENT_TIME);
    for (FieldInfo f : fields) {
      pathOf.put(f.id(), f.path());
    }
    return pathOf;
  }

  /**
   * Compares one sealed segment's columns with the row store's documents, and its postings with
   * the (field, value) row sets those documents imply. Returns how many postings it expected.
   */
  private long checkSealedSegment(SegmentSource s, int seg, Map<Integer, String> pathOf) {
    List<FieldInfo> fields = s.schema().fields();
    RoaringBitmap offsets = s.selectedOffsets(seg, null);
    List<String> paths = new ArrayList<>();
    int[] ids = new int[fields.size() + 2];
    paths.add(CollectionSnapshot.ID);
    paths.add(CollectionSnapshot.EVENT_TIME);
    ids[0] = CollectionState.ID_FIELD;
    ids[1] = CollectionState.EVENT_TIME_FIELD;
    for (FieldInfo f : fields) {
      ids[paths.size()] = f.id();
      paths.add(f.path());
    }
    Map<List<Object>, RoaringBitmap> expected = checkColumns(s, seg, offsets, paths, ids);
    checkPostings(s, seg, offsets, expected, pathOf);
    return expected.size();
  }

  /**
   * Each live row's value in every column equals the document's; returns the rows each
   * (field id, posting key) should have in the inverted index.
   */
  private Map<List<Object>, RoaringBitmap> checkColumns(SegmentSource s, int seg,
      RoaringBitmap offsets, List<String> paths, int[] ids) {
    Object[][] docValues = s.rowValues(seg, offsets, paths);
    int[] offsetArray = offsets.toArray();
    Map<List<Object>, RoaringBitmap> expected = new HashMap<>();
    for (int p = 0; p < paths.size(); p++) {
      // what is stored, not what a query may have cached
      ColumnVector column =
          s.isSealed(seg) ? s.storedVector(ids[p], seg) : s.vector(ids[p], seg);
      for (int k = 0; k < offsetArray.length; k++) {
        Object want = docValues[p][k];
        Object got = column == null ? null : column.get(offsetArray[k]);
        columnValues++;
        if (!sameValue(want, got)) {
          problem("segment " + seg + " row " + offsetArray[k] + " field " + paths.get(p)
              + ": column holds " + got + ", the row store " + want);
        }
        if (p == 0 || want == null) {
          continue; // _id has no postings; NULL is not posted
        }
        if (want instanceof List<?> list) {
          for (Object el : list) {
            expected.computeIfAbsent(List.of(ids[p], SegmentSealer.postingKey(el)),
                x -> new RoaringBitmap())
                .add(offsetArray[k]);
          }
        } else {
          expected.computeIfAbsent(List.of(ids[p], SegmentSealer.postingKey(want)),
              x -> new RoaringBitmap())
              .add(offsetArray[k]);
        }
      }
    }
    return expected;
  }

  /** Each expected posting, restricted to the live rows, holds exactly the expected rows. */
  private void checkPostings(SegmentSource s, int seg, RoaringBitmap offsets,
      Map<List<Object>, RoaringBitmap> expected, Map<Integer, String> pathOf) {
    for (Map.Entry<List<Object>, RoaringBitmap> e : expected.entrySet()) {
      int field = (Integer) e.getKey().get(0);
      Object value = e.getKey().get(1);
      byte[] key = Keys.inverted(s.collectionId(), field,
          SortableEncoding.encode(SegmentSealer.postedValue(value)), seg);
      byte[] posting;
      try {
        posting = s.get(KeySpace.INVERTED, key);
      } catch (RocksDBException ex) {
        throw s.failure("checking the inverted index", ex);
      }
      RoaringBitmap got = posting == null ? new RoaringBitmap()
          : RoaringBitmap.and(Postings.decode(posting), offsets);
      postings++;
      if (!got.equals(e.getValue())) {
        problem("segment " + seg + " field " + pathOf.get(field) + " value " + value
            + ": posting has " + got.getCardinality() + " live rows, the row store "
            + e.getValue().getCardinality());
      }
    }
  }

  /** Counts, per sealed segment, the postings that name a live row, against the expected. */
  private void checkNoExtraPostings(SegmentSource s, long[] expectedKeys) {
    long[] actualKeys = new long[s.segmentCount()];
    try (RocksIterator it = s.iterator(KeySpace.INVERTED)) {
      byte[] start = Keys.collectionStart(s.collectionId());
      for (it.seek(start); it.isValid() && Keys.startsWith(it.key(), start); it.next()) {
        byte[] key = it.key();
        int seg = Keys.readInt(key, key.length - 4);
        if (seg < actualKeys.length && s.isSealed(seg)
            && RoaringBitmap.intersects(Postings.decode(it.value()),
                s.selectedOffsets(seg, null))) {
          actualKeys[seg]++;
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw s.failure("checking the inverted index", e);
    }
    for (int seg = 0; seg < actualKeys.length; seg++) {
      if (actualKeys[seg] != expectedKeys[seg]) {
        problem("segment " + seg + ": " + actualKeys[seg] + " postings name live rows, "
            + expectedKeys[seg] + " expected");
      }
    }
  }

  private static boolean sameValue(Object want, Object got) {
    if (want instanceof Double a && got instanceof Double b) {
      return Double.compare(a, b) == 0 || (a == 0.0d && b == 0.0d);
    }
    if (want instanceof Instant a && got instanceof Instant b) {
      return a.toEpochMilli() == b.toEpochMilli();
    }
    return Objects.equals(want, got);
  }

  private static long countKeys(SegmentSource s, KeySpace space) {
    long n = 0;
    try (RocksIterator it = s.iterator(space)) {
      byte[] start = Keys.collectionStart(s.collectionId());
      for (it.seek(start); it.isValid() && Keys.startsWith(it.key(), start); it.next()) {
        n++;
      }
      it.status();
    } catch (RocksDBException e) {
      throw s.failure("counting keys", e);
    }
    return n;
  }

  private void problem(String p) {
    problemCount++;
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(p);
    }
  }
}
