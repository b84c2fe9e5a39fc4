package io.converge.storage.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.query.Predicate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/** Min/max statistics decide whole segments; only undecided ones are read. */
class RangeScanTest {
  @TempDir
  Path dir;

  @Test
  void rangesOnAClusteredFieldReadOnlyTheBoundarySegment() throws Exception {
    int n = TailSegment.SEGMENT_ROWS * 3 + 100;
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("seq");
      DocumentPreparer prep = new DocumentPreparer();
      List<PreparedDocument> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_id", "d" + i);
        m.put("seq", (long) i);
        m.put("half", i % 2 == 0 ? 0.5d : null);
        batch.add(prep.prepare(m, 0));
        if (batch.size() == 10_000) {
          c.upsert(batch);
          batch.clear();
        }
      }
      c.upsert(batch);
      store.awaitSealed();
      try (CollectionSnapshot s = c.snapshot()) {
        int field = s.fieldId("seq");
        long bound = TailSegment.SEGMENT_ROWS + 10;
        List<Integer> sealed = List.of(0, 1, 2);
        RangeScan scan = new RangeScan(s, field,
            new Predicate.Compare("seq", Predicate.Op.GE, bound));
        RoaringBitmap out = new RoaringBitmap();
        scan.addTrueRows(sealed, out);
        assertEquals(1, scan.skipped, "segment 0 lies below the bound");
        assertEquals(1, scan.taken, "segment 2 lies above it");
        assertEquals(1, scan.read, "segment 1 holds the bound");
        assertEquals(3L * TailSegment.SEGMENT_ROWS - bound, out.getLongCardinality());
        assertEquals(n - bound, s.select(new Predicate.Compare("seq", Predicate.Op.GE, bound))
            .getLongCardinality(), "with the in-memory tail");
        // A field present in every other row: statistics say ALL, presence decides which.
        RangeScan half = new RangeScan(s, s.fieldId("half"),
            new Predicate.Compare("half", Predicate.Op.GT, 0.1d));
        RoaringBitmap halfOut = new RoaringBitmap();
        half.addTrueRows(sealed, halfOut);
        assertEquals(3L * TailSegment.SEGMENT_ROWS / 2, halfOut.getLongCardinality());
        // Estimates come from the statistics: exact where min/max decide, interpolated inside.
        long estimate = s.estimate(new Predicate.Compare("seq", Predicate.Op.GE, bound));
        assertEquals(n - bound, estimate, (n - bound) * 0.02, "estimate " + estimate);
        assertEquals(0, s.estimate(new Predicate.Compare("seq", Predicate.Op.LT, -5L)));
        long quarter = s.estimate(new Predicate.Compare("seq", Predicate.Op.LT, (long) n / 4));
        assertEquals(n / 4.0, quarter, n * 0.02, "estimate " + quarter);
        assertEquals(0, new RangeScanCounts(s, "seq", Predicate.Op.LT, -1L).matches());
        assertEquals(3L * TailSegment.SEGMENT_ROWS - 1,
            new RangeScanCounts(s, "seq", Predicate.Op.NE, 5L).matches());
        assertEquals(0, new RangeScanCounts(s, "seq", Predicate.Op.GT, "text").matches(),
            "another type family matches nothing");
      }
    }
  }

  private record RangeScanCounts(CollectionSnapshot s, String path, Predicate.Op op, Object value) {
    long matches() {
      RoaringBitmap out = new RoaringBitmap();
      new RangeScan(s, s.fieldId(path), new Predicate.Compare(path, op, value))
          .addTrueRows(List.of(0, 1, 2), out);
      return out.getLongCardinality();
    }
  }
}
