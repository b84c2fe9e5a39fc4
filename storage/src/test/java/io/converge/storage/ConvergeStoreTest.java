package io.converge.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.encoding.Keys;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.schema.FieldInfo;
import io.converge.storage.schema.FieldType;
import io.converge.storage.write.WriteSummary;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

class ConvergeStoreTest {
  @TempDir
  Path dir;

  private final DocumentPreparer preparer = new DocumentPreparer();

  private PreparedDocument doc(Object... kv) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return preparer.prepare(m, 1_000L);
  }

  private static List<List<Object>> scan(ConvergeCollection c, String... paths) {
    List<List<Object>> rows = new ArrayList<>();
    try (CollectionSnapshot s = c.snapshot()) {
      RowCursor cur = s.scan(List.of(paths));
      while (cur.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 0; i < paths.length; i++) {
          row.add(cur.get(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  @Test
  void writtenDocumentsAreScannedByColumn() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("orders");
      c.upsert(List.of(doc("_id", "a", "status", "new", "amount", 10L),
          doc("_id", "b", "status", "paid", "customer", Map.of("country", "DE"))));
      assertEquals(List.of(List.of("a", "new", 10L), java.util.Arrays.asList("b", "paid", null)),
          scan(c, "_id", "status", "amount"));
      assertEquals(java.util.Arrays.asList(null, "DE"),
          scan(c, "customer.country").stream().map(r -> r.get(0)).toList());
      assertEquals(2, c.documentCount());
    }
  }

  @Test
  void awaitBackgroundIdleReturnsOnceFlushesAreDoneAndRefusesAClosedStore() throws Exception {
    ConvergeStore store = ConvergeStore.open(dir);
    try {
      ConvergeCollection c = store.getOrCreate("c");
      List<PreparedDocument> docs = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        docs.add(doc("_id", "d" + i, "v", (long) i));
      }
      c.upsert(docs);
      store.flush();
      assertTrue(store.awaitBackgroundIdle(60_000));
      assertEquals(2_000, c.documentCount());
    } finally {
      store.close();
    }
    assertThrows(StoreException.class, () -> store.awaitBackgroundIdle(1_000));
  }

  @Test
  void upsertReplacesTheOldVersionEverywhere() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("c");
      c.upsert(List.of(doc("_id", "a", "v", 1L), doc("_id", "b", "v", 2L)));
      WriteSummary s = c.upsert(List.of(doc("_id", "a", "v", "one")));
      assertEquals(1, s.replaced());
      assertEquals(List.of(List.of("b", 2L), List.of("a", "one")), scan(c, "_id", "v"));
      FieldInfo v = c.schema().field("v");
      assertEquals(1, v.count(FieldType.INT));
      assertEquals(1, v.count(FieldType.STRING));
      try (CollectionSnapshot snap = c.snapshot()) {
        assertEquals("one", snap.document("a").get("v"));
      }
    }
  }

  @Test
  void sameIdTwiceInOneBatchKeepsTheLast() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("c");
      c.upsert(List.of(doc("_id", "a", "v", 1L), doc("_id", "a", "v", 2L)));
      assertEquals(List.of(List.of("a", 2L)), scan(c, "_id", "v"));
      assertEquals(1, c.documentCount());
      assertEquals(1, c.schema().field("v").count(FieldType.INT));
    }
  }

  @Test
  void deleteRemovesFromEveryIndexAndTakesBackTypeCounts() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("c");
      c.upsert(List.of(doc("_id", "a", "v", 1L), doc("_id", "b", "v", "x")));
      assertEquals(1, c.delete(List.of("b", "missing")));
      assertEquals(List.of(List.of("a", 1L)), scan(c, "_id", "v"));
      assertEquals(0, c.schema().field("v").count(FieldType.STRING));
      try (CollectionSnapshot snap = c.snapshot()) {
        assertNull(snap.document("b"));
      }
      // a deleted id can come back
      c.upsert(List.of(doc("_id", "b", "v", 3L)));
      assertEquals(2, c.documentCount());
    }
  }

  @Test
  void deleteThenUpsertInOneBatchKeepsTheDocument() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("c");
      c.upsert(List.of(doc("_id", "a", "v", 1L)));
      c.write(List.of(Mutation.delete("a"), Mutation.upsert(doc("_id", "a", "v", 2L))), null);
      assertEquals(List.of(List.of("a", 2L)), scan(c, "_id", "v"));
      try (CollectionSnapshot snap = c.snapshot()) {
        assertEquals(2L, snap.document("a").get("v"));
      }
    }
  }

  @Test
  void snapshotDoesNotSeeLaterWrites() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("c");
      c.upsert(List.of(doc("_id", "a", "v", 1L)));
      try (CollectionSnapshot snap = c.snapshot()) {
        c.upsert(List.of(doc("_id", "a", "v", 9L), doc("_id", "b", "v", 2L)));
        RowCursor cur = snap.scan(List.of("_id", "v"));
        assertTrue(cur.next());
        assertEquals(1L, cur.get(1));
        assertFalse(cur.next());
        assertEquals(1L, snap.document("a").get("v"));
      }
    }
  }

  @Test
  void segmentsSealAcrossTheBoundaryAndSurviveReopen() throws Exception {
    int n = TailSegment.SEGMENT_ROWS * 2 + 1234;
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("big");
      List<PreparedDocument> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(doc("_id", "d" + i, "i", (long) i, "mod", "m" + (i % 7), "tags", List.of("t" + (i % 3))));
        if (batch.size() == 5000) {
          c.upsert(batch);
          batch.clear();
        }
      }
      c.upsert(batch);
      // replace a document in a sealed segment and one in the tail, delete another sealed one
      c.upsert(List.of(doc("_id", "d5", "i", -5L), doc("_id", "d" + (n - 1), "i", -1L)));
      c.delete(List.of("d6"));
      checkBig(c, n);
      store.awaitSealed();
      checkBig(c, n);
    }
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.collection("big");
      checkBig(c, n);
      // the tail was rebuilt from the row store; keep writing into it and across the next seal
      List<PreparedDocument> batch = new ArrayList<>();
      for (int i = n; i < TailSegment.SEGMENT_ROWS * 3 + 10; i++) {
        batch.add(doc("_id", "d" + i, "i", (long) i));
      }
      c.upsert(batch);
      assertEquals(TailSegment.SEGMENT_ROWS * 3 + 10 - 1, c.documentCount());
    }
  }

  private void checkBig(ConvergeCollection c, int n) {
    assertEquals(n - 1, c.documentCount());
    long sum = 0;
    int rows = 0;
    Map<Object, Integer> mods = new HashMap<>();
    try (CollectionSnapshot s = c.snapshot()) {
      assertEquals(n - 1, s.count());
      RowCursor cur = s.scan(List.of("i", "mod", "_id"));
      while (cur.next()) {
        rows++;
        sum += (Long) cur.get(0);
        mods.merge(cur.get(1), 1, Integer::sum);
        assertNotNull(cur.get(2));
      }
      assertEquals("x", "x");
    }
    long expected = (long) n * (n - 1) / 2 - 5 - 5 - 6 - (n - 1) - 1;
    assertEquals(n - 1, rows);
    assertEquals(expected, sum);
    assertEquals(7, mods.size() - (mods.containsKey(null) ? 1 : 0));
  }

  @Test
  void fullSegmentsLeftUnsealedAreRebuiltAndSealedOnOpen() throws Exception {
    int n = TailSegment.SEGMENT_ROWS * 2 + 100;
    ConvergeCollection.skipSealsForTests = true;
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("big");
      List<PreparedDocument> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(doc("_id", "d" + i, "i", (long) i));
      }
      c.upsert(batch);
      c.delete(List.of("d1"));
      store.awaitSealed();
      assertEquals(n - 1, scan(c, "i").size());
    } finally {
      ConvergeCollection.skipSealsForTests = false;
    }
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.collection("big");
      assertEquals(n - 1, scan(c, "i").size());
      store.awaitSealed();
      long sum = scan(c, "i").stream().mapToLong(r -> (Long) r.get(0)).sum();
      assertEquals((long) n * (n - 1) / 2 - 1, sum);
      assertNotNull(store.db().get(store.columnCf(),
          Keys.column(c.id(), c.schema().field("i").id(), 1)));
    }
  }

  @Test
  void sealedSegmentsHavePostingsPerValueAndArrayElement() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("p");
      List<PreparedDocument> batch = new ArrayList<>();
      for (int i = 0; i < TailSegment.SEGMENT_ROWS; i++) {
        batch.add(doc("_id", "d" + i, "status", i % 10 == 0 ? "rare" : "common", "unique", (long) i,
            "tags", i % 2 == 0 ? List.of("even", "x") : List.of("odd")));
      }
      c.upsert(batch);
      store.awaitSealed();
      int statusId = c.schema().field("status").id();
      int tagsId = c.schema().field("tags").id();
      byte[] rare = store.db().get(store.invertedCf(),
          Keys.inverted(c.id(), statusId, io.converge.storage.encoding.SortableEncoding.encode("rare"), 0));
      RoaringBitmap rareRows = io.converge.storage.index.Postings.decode(rare);
      assertEquals(TailSegment.SEGMENT_ROWS / 10 + 1, rareRows.getCardinality());
      assertTrue(rareRows.contains(10));
      byte[] even = store.db().get(store.invertedCf(),
          Keys.inverted(c.id(), tagsId, io.converge.storage.encoding.SortableEncoding.encode("even"), 0));
      assertEquals(TailSegment.SEGMENT_ROWS / 2, io.converge.storage.index.Postings.decode(even).getCardinality());
      byte[] one = store.db().get(store.invertedCf(), Keys.inverted(c.id(),
          c.schema().field("unique").id(), io.converge.storage.encoding.SortableEncoding.encode(777L), 0));
      assertEquals(RoaringBitmap.bitmapOf(777), io.converge.storage.index.Postings.decode(one));
    }
  }

  @Test
  void schemaInferenceCountsTypesPerPath() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("s");
      long v0 = c.schema().version();
      c.upsert(List.of(doc("a", 1L, "b", Map.of("c", "x"), "t", "2026-01-01T00:00:00Z",
          "arr", List.of(1L, "s"), "n", null),
          doc("a", 2.5, "b", Map.of("c", "y"))));
      CollectionSchema s = c.schema();
      assertTrue(s.version() > v0);
      assertEquals(Map.of(FieldType.INT, 1L, FieldType.DOUBLE, 1L), s.field("a").typeCounts());
      assertEquals(Map.of(FieldType.STRING, 2L), s.field("b.c").typeCounts());
      assertEquals(Map.of(FieldType.OBJECT, 2L), s.field("b").typeCounts());
      assertFalse(s.field("b").isLeaf());
      assertEquals(Map.of(FieldType.TIMESTAMP, 1L), s.field("t").typeCounts());
      assertEquals(Map.of(FieldType.INT, 1L, FieldType.STRING, 1L), s.field("arr").elementTypeCounts());
      assertEquals(Map.of(FieldType.NULL, 1L), s.field("n").typeCounts());
      long v1 = s.version();
      c.upsert(List.of(doc("a", 3L)));
      assertEquals(v1, c.schema().version(), "only counts changed");
    }
  }

  @Test
  void everythingSurvivesCloseAndReopen() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      store.getOrCreate("one").upsert(List.of(doc("_id", "a", "v", 1L, "when", "2026-05-01T00:00:00Z")));
      store.getOrCreate("two");
    }
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      assertEquals(List.of("one", "two"), store.collectionNames());
      ConvergeCollection c = store.collection("one");
      assertEquals(List.of(List.of("a", 1L, Instant.parse("2026-05-01T00:00:00Z"), Instant.ofEpochMilli(1000))),
          scan(c, "_id", "v", "when", "_event_time"));
      assertEquals(1, c.schema().field("v").count(FieldType.INT));
    }
  }

  @Test
  void unsyncedWritesSurviveCloseAndReopenWithTheirOffsets() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir, StoreOptions.defaults().syncWrites(false))) {
      assertFalse(store.options().syncWrites());
      ConvergeCollection c = store.getOrCreate("shard#0");
      c.write(List.of(Mutation.upsert(doc("_id", "a", "v", 1L)),
          Mutation.upsert(doc("_id", "b", "v", 2L))), SourceOffsets.of("kafka:t:0", 2L));
      c.write(List.of(Mutation.delete("a")), SourceOffsets.of("kafka:t:0", 3L));
      store.getOrCreate("gone");
      assertTrue(store.drop("gone"));
    }
    // the options are not part of the directory: it opens with any
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      assertTrue(store.options().syncWrites());
      assertEquals(List.of("shard#0"), store.collectionNames());
      ConvergeCollection c = store.collection("shard#0");
      assertEquals(List.of(List.of("b", 2L)), scan(c, "_id", "v"));
      assertEquals(java.util.OptionalLong.of(3), c.sourceOffset("kafka:t:0"));
    }
  }

  @Test
  void dropRemovesACollectionAndItsData() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      store.getOrCreate("gone").upsert(List.of(doc("_id", "a")));
      assertTrue(store.drop("gone"));
      assertFalse(store.drop("gone"));
      assertNull(store.collection("gone"));
      ConvergeCollection again = store.getOrCreate("gone");
      assertEquals(0, again.documentCount());
    }
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      assertEquals(0, store.collection("gone").documentCount());
    }
  }

  @Test
  void aSecondOpenOfALockedDirectoryFailsClearly() {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      StoreException e = assertThrows(StoreException.class, () -> ConvergeStore.open(dir));
      assertTrue(e.getMessage().contains("in use") || e.getMessage().contains("already open"),
          e.getMessage());
    }
  }

  @Test
  void sharedStoreIsOpenedOnceAndClosedByTheLastRelease() throws Exception {
    ConvergeStore a = ConvergeStore.acquire(dir);
    ConvergeStore b = ConvergeStore.acquire(dir);
    assertTrue(a == b);
    a.release();
    a.getOrCreate("still-open");
    b.release();
    try (ConvergeStore again = ConvergeStore.open(dir)) {
      assertEquals(List.of("still-open"), again.collectionNames());
    }
  }

  @Test
  void badCollectionNamesAreRefused() {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      assertThrows(IllegalArgumentException.class, () -> store.getOrCreate(""));
      assertThrows(IllegalArgumentException.class, () -> store.getOrCreate("a\0b"));
      // names are data, never paths: this is just a collection called "../x"
      assertEquals("../x", store.getOrCreate("../x").name());
    }
  }
}
