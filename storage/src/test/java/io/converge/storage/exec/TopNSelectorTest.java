package io.converge.storage.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.RowCursor;
import io.converge.storage.exec.TopNSelector.Key;
import io.converge.storage.exec.TopNSelector.Order;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@link TopNSelector} against a brute-force reference (every live row read by a scan, sorted by
 * the same rules written out again, cut at the limit), over a collection with a sealed and an
 * in-memory segment, upserts, deletes, nulls, missing values, ties, values of a foreign type,
 * -0.0, strings whose UTF-16 order differs from code point order, and instants that differ only
 * below the millisecond.
 */
class TopNSelectorTest {
  private static final List<String> PATHS = List.of("_id", "n", "x", "s", "b", "t", "_event_time");
  private static final Order[] ORDERS = {Order.STRING, Order.LONG, Order.DOUBLE, Order.STRING,
      Order.BOOLEAN, Order.TIMESTAMP_MILLIS, Order.TIMESTAMP_MILLIS};
  private static final String[] WORDS = {"a", "b", "ab", "", "\uE000", "\uD83D\uDE00", "Z", "zz"};

  @TempDir
  static Path dir;
  static ConvergeStore store;
  static ConvergeCollection coll;
  /** rid, then the values of {@link #PATHS}, of every live row. */
  static List<Object[]> rows;

  @BeforeAll
  static void load() throws Exception {
    store = ConvergeStore.open(dir);
    coll = store.getOrCreate("q");
    SplittableRandom r = new SplittableRandom(5);
    DocumentPreparer prep = new DocumentPreparer();
    int n = TailSegment.SEGMENT_ROWS + 4000;
    List<PreparedDocument> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(prep.prepare(doc(r, "d" + i), 1_000_000L + r.nextInt(50)));
      if (batch.size() == 5000) {
        coll.upsert(batch);
        batch.clear();
      }
    }
    coll.upsert(batch);
    store.awaitSealed();
    batch.clear();
    for (int i = 0; i < 2000; i++) {
      batch.add(prep.prepare(doc(r, "d" + r.nextInt(n)), 2_000_000L));
    }
    coll.upsert(batch);
    List<String> gone = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      gone.add("d" + r.nextInt(n));
    }
    coll.delete(gone);
    rows = new ArrayList<>();
    try (CollectionSnapshot s = coll.snapshot()) {
      RowCursor c = s.scan(PATHS);
      while (c.next()) {
        Object[] v = new Object[PATHS.size() + 1];
        v[0] = (int) c.rid();
        for (int i = 0; i < PATHS.size(); i++) {
          v[i + 1] = c.get(i);
        }
        rows.add(v);
      }
    }
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static Map<String, Object> doc(SplittableRandom r, String id) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", id);
    int k = r.nextInt(20);
    if (k < 17) {
      d.put("n", (long) r.nextInt(200) - 100);
    } else if (k == 17) {
      d.put("n", null);
    } else if (k == 18) {
      d.put("n", "foreign"); // a string in a numeric column: not of the LONG kind
    }
    k = r.nextInt(10);
    if (k < 4) {
      d.put("x", (long) r.nextInt(50) - 25);
    } else if (k < 8) {
      d.put("x", (r.nextInt(200) - 100) / 4.0);
    } else if (k == 8) {
      d.put("x", r.nextBoolean() ? -0.0d : 0.0d);
    }
    if (r.nextInt(6) != 0) {
      d.put("s", WORDS[r.nextInt(WORDS.length)] + (r.nextBoolean() ? "" : r.nextInt(30)));
    }
    if (r.nextInt(4) != 0) {
      d.put("b", r.nextBoolean());
    }
    if (r.nextInt(5) != 0) {
      // ms and sub-ms digits: two instants of the same millisecond tie
      d.put("t", String.format("2026-01-01T00:00:%02d.%03d%03dZ", r.nextInt(3), r.nextInt(40),
          r.nextInt(3) * 250));
    }
    return d;
  }

  @Test
  void theSelectedRowsAreTheReferenceTopN() {
    SplittableRandom r = new SplittableRandom(17);
    int checks = 0;
    try (CollectionSnapshot s = coll.snapshot()) {
      for (int q = 0; q < 300; q++) {
        List<Key> keys = new ArrayList<>();
        List<Integer> columns = new ArrayList<>();
        int width = 1 + r.nextInt(r.nextInt(4) == 0 ? 3 : 1);
        for (int k = 0; k < width; k++) {
          int c = 1 + r.nextInt(PATHS.size() - 1);
          if (r.nextInt(5) == 0) {
            c = 0; // _id
          }
          keys.add(new Key(PATHS.get(c), ORDERS[c], r.nextBoolean(), r.nextBoolean()));
          columns.add(c);
        }
        long limit = switch (r.nextInt(4)) {
          case 0 -> 1;
          case 1 -> 1 + r.nextInt(20);
          case 2 -> 1 + r.nextInt(3000);
          default -> rows.size() + r.nextInt(5);
        };
        RoaringBitmap restrict = null;
        List<Object[]> candidates = rows;
        if (r.nextBoolean()) {
          restrict = new RoaringBitmap();
          candidates = new ArrayList<>();
          for (Object[] row : rows) {
            if (r.nextInt(7) == 0) {
              restrict.add((int) row[0]);
              candidates.add(row);
            }
          }
          restrict.add(Integer.MAX_VALUE - 1); // not a live rid: ignored
        }
        RoaringBitmap expected = reference(candidates, keys, columns, limit);
        RoaringBitmap actual = TopNSelector.select(s, keys, limit, restrict);
        assertEquals(expected, actual, "keys " + keys + " limit " + limit
            + (restrict == null ? "" : " restricted"));
        checks++;
      }
      assertTrue(TopNSelector.select(s, "n", Order.LONG, false, false, 0, null).isEmpty());
      assertEquals(5, TopNSelector.select(s, "no.such.field", Order.LONG, false, true, 5, null)
          .getCardinality());
    }
    assertEquals(300, checks);
  }

  @Test
  void aSingleKeyTopNBreaksTiesByRid() {
    try (CollectionSnapshot s = coll.snapshot()) {
      // b has two values: the first 10 of "false first" are the 10 smallest rids holding false
      RoaringBitmap top = TopNSelector.select(s, "b", Order.BOOLEAN, false, false, 10, null);
      List<Integer> falses = new ArrayList<>();
      for (Object[] row : rows) {
        if (Boolean.FALSE.equals(row[PATHS.indexOf("b") + 1])) {
          falses.add((int) row[0]);
        }
      }
      falses.sort(null);
      assertEquals(RoaringBitmap.bitmapOf(falses.subList(0, 10).stream()
          .mapToInt(Integer::intValue).toArray()), top);
    }
  }

  /** The first {@code limit} candidates under the key order, written out independently. */
  private static RoaringBitmap reference(List<Object[]> candidates, List<Key> keys,
      List<Integer> columns, long limit) {
    Comparator<Object[]> cmp = (a, b) -> {
      for (int k = 0; k < keys.size(); k++) {
        Key key = keys.get(k);
        int col = columns.get(k) + 1;
        Object x = comparable(key.order(), a[col]);
        Object y = comparable(key.order(), b[col]);
        if (x == null && y == null) {
          continue;
        }
        if (x == null || y == null) {
          return (x == null) == key.nullsFirst() ? -1 : 1;
        }
        int c = compare(key.order(), x, y);
        if (c != 0) {
          return key.descending() ? -c : c;
        }
      }
      return Integer.compare((int) a[0], (int) b[0]);
    };
    List<Object[]> sorted = new ArrayList<>(candidates);
    sorted.sort(cmp);
    RoaringBitmap out = new RoaringBitmap();
    for (int i = 0; i < Math.min(limit, sorted.size()); i++) {
      out.add((int) sorted.get(i)[0]);
    }
    return out;
  }

  private static Object comparable(Order order, Object v) {
    return switch (order) {
      case LONG -> v instanceof Long ? v : null;
      case DOUBLE -> v instanceof Long l ? (Object) (double) l : v instanceof Double ? v : null;
      case STRING -> v instanceof String ? v : null;
      case BOOLEAN -> v instanceof Boolean ? v : null;
      case TIMESTAMP_MILLIS -> v instanceof Instant t ? (Object) t.toEpochMilli() : null;
    };
  }

  private static int compare(Order order, Object x, Object y) {
    return switch (order) {
      case LONG, TIMESTAMP_MILLIS -> Long.compare((Long) x, (Long) y);
      case DOUBLE -> Double.compare((Double) x, (Double) y);
      case STRING -> ((String) x).compareTo((String) y);
      case BOOLEAN -> Boolean.compare((Boolean) x, (Boolean) y);
    };
  }
}
