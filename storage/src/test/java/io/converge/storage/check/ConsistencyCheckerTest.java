package io.converge.storage.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.StoreDamage;
import io.converge.storage.encoding.ColumnSegmentCodec;
import io.converge.storage.encoding.KeySpace;
import io.converge.storage.encoding.Keys;
import io.converge.storage.encoding.SortableEncoding;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker passes a healthy collection and names each kind of damage. */
class ConsistencyCheckerTest {
  @TempDir
  Path dir;

  private static ConvergeCollection fill(ConvergeStore store) throws Exception {
    ConvergeCollection c = store.getOrCreate("c");
    DocumentPreparer prep = new DocumentPreparer();
    SplittableRandom r = new SplittableRandom(1);
    List<PreparedDocument> batch = new ArrayList<>();
    int n = TailSegment.SEGMENT_ROWS + 3000;
    for (int i = 0; i < n; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("_id", "d" + i);
      m.put("k", (long) r.nextInt(10));
      if (r.nextBoolean()) {
        m.put("s", "w" + r.nextInt(30));
      }
      m.put("tags", List.of("t" + r.nextInt(3), "t" + r.nextInt(3)));
      m.put("nested", Map.of("x", r.nextDouble()));
      batch.add(prep.prepare(m, 0));
      if (batch.size() == 5000) {
        c.upsert(batch);
        batch.clear();
      }
    }
    c.upsert(batch);
    store.awaitSealed();
    // upserts and deletes after the seal: retired rows must be masked everywhere
    batch.clear();
    for (int i = 0; i < 500; i++) {
      batch.add(prep.prepare(Map.of("_id", "d" + r.nextInt(n), "k", 99L), 0));
    }
    c.upsert(batch);
    c.delete(List.of("d1", "d2", "d3"));
    return c;
  }

  @Test
  void aHealthyCollectionPasses() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConsistencyChecker.Report report = new ConsistencyChecker(fill(store)).check();
      assertTrue(report.ok(), report.problems().toString());
      assertEquals(1, report.sealedSegments());
      assertTrue(report.columnValues() > 0 && report.postings() > 0, report.toString());
    }
  }

  @Test
  void aMissingPostingAndAWrongColumnAreReported() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = fill(store);
      int coll;
      int field;
      try (CollectionSnapshot s = c.snapshot()) {
        coll = s.collectionId();
        field = s.fieldId("k");
      }
      StoreDamage.delete(store, KeySpace.INVERTED,
          Keys.inverted(coll, field, SortableEncoding.encode(3L), 0));
      ConsistencyChecker.Report posting = new ConsistencyChecker(c).check();
      assertEquals(2, posting.problemCount(), posting.problems().toString()); // and the key count
      assertTrue(posting.problems().get(0).contains("field k value 3: posting has 0 live rows"),
          posting.problems().toString());
      Object[] wrong = new Object[TailSegment.SEGMENT_ROWS];
      java.util.Arrays.fill(wrong, 7L);
      StoreDamage.put(store, KeySpace.COLUMN, Keys.column(coll, field, 0),
          ColumnSegmentCodec.encode(wrong, wrong.length));
      ConsistencyChecker.Report report = new ConsistencyChecker(c).check();
      assertFalse(report.ok());
      String all = String.join("\n", report.problems());
      assertTrue(all.contains("field k: column holds 7"), all);
      assertTrue(report.problemCount() > ConsistencyChecker.MAX_PROBLEMS, "every row is counted");
      assertEquals(ConsistencyChecker.MAX_PROBLEMS, report.problems().size());
    }
  }

  @Test
  void aRowWithoutItsPkIsReported() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = fill(store);
      int coll;
      try (CollectionSnapshot s = c.snapshot()) {
        coll = s.collectionId();
      }
      StoreDamage.delete(store, KeySpace.PK, Keys.pk(coll, "d10"));
      ConsistencyChecker.Report report = new ConsistencyChecker(c).check();
      assertFalse(report.ok());
      assertTrue(String.join("\n", report.problems()).contains("(_id d10): pk maps it to nothing"),
          report.problems().toString());
    }
  }
}
