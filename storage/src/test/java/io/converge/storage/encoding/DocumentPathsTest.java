package io.converge.storage.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.converge.storage.json.DocumentFlattener;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DocumentPaths} reads from the encoded row exactly what {@link DocumentFlattener#leafAt}
 * finds in the decoded document, for every path at once.
 */
class DocumentPathsTest {
  private static final String[] KEYS = {"a", "b", "a.b", "b.c", "c", "", ".", "a.", "é", "_id",
      "_event_time", "ab"};

  @Test
  void readsWhatLeafAtFindsOnRandomDocuments() {
    SplittableRandom r = new SplittableRandom(11);
    for (int d = 0; d < 5000; d++) {
      Map<String, Object> doc = randomObject(r, 0);
      long time = r.nextLong(0, 2_000_000_000_000L);
      byte[] row = DocumentCodec.encodeDocument("id" + d, time, doc);
      @SuppressWarnings("unchecked")
      Map<String, Object> decoded = (Map<String, Object>) DocumentCodec.decode(row);

      Set<String> paths = new LinkedHashSet<>();
      DocumentFlattener.flatten(decoded, new DocumentFlattener.LeafConsumer() {
        @Override
        public void leaf(String path, Object value) {
          paths.add(path);
        }

        @Override
        public void object(String path) {
          paths.add(path);
        }
      });
      for (int i = 0; i < 4; i++) {
        paths.add(randomPath(r));
      }
      paths.add("_id");
      paths.add("_event_time");
      List<String> list = new ArrayList<>(paths);
      Object[] out = new Object[list.size()];
      new DocumentPaths(list, DocumentFlattener::normalizeLeaf).read(row, out);
      for (int i = 0; i < list.size(); i++) {
        String p = list.get(i);
        Object expected = p.equals("_id") ? "id" + d
            : p.equals("_event_time") ? Instant.ofEpochMilli(time)
            : DocumentFlattener.leafAt(decoded, p);
        assertEquals(expected, out[i], p + " in " + decoded);
      }
    }
  }

  @Test
  void skipsEveryKindOfValue() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("n", null);
    doc.put("t", true);
    doc.put("f", false);
    doc.put("l", -123456789012L);
    doc.put("d", 2.5);
    doc.put("s", "text");
    doc.put("ts", Instant.ofEpochMilli(5));
    doc.put("arr", List.of(1L, "x", Map.of("q", 1L), List.of(2L)));
    doc.put("o", Map.of("x", Map.of("y", "deep")));
    doc.put("last", "found");
    byte[] row = DocumentCodec.encodeDocument("k", 7, doc);
    Object[] out = new Object[2];
    new DocumentPaths(List.of("last", "o.x.y"), DocumentFlattener::normalizeLeaf).read(row, out);
    assertEquals("found", out[0]);
    assertEquals("deep", out[1]);
  }

  private static String randomPath(SplittableRandom r) {
    StringBuilder b = new StringBuilder(KEYS[r.nextInt(KEYS.length)]);
    for (int i = r.nextInt(3); i > 0; i--) {
      b.append('.').append(KEYS[r.nextInt(KEYS.length)]);
    }
    return b.toString();
  }

  private static Map<String, Object> randomObject(SplittableRandom r, int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    int n = r.nextInt(0, 6);
    for (int i = 0; i < n; i++) {
      m.put(KEYS[r.nextInt(KEYS.length)], randomValue(r, depth));
    }
    return m;
  }

  private static Object randomValue(SplittableRandom r, int depth) {
    return switch (r.nextInt(depth < 3 ? 9 : 7)) {
      case 0 -> null;
      case 1 -> r.nextLong(-100, 100);
      case 2 -> r.nextInt(3) == 0 ? "2026-01-0" + r.nextInt(1, 9) + "T00:00:00Z" : "s" + r.nextInt(50);
      case 3 -> r.nextBoolean();
      case 4 -> r.nextDouble();
      case 5 -> Instant.ofEpochMilli(r.nextLong(0, 1L << 40));
      case 6 -> {
        List<Object> l = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
          l.add(r.nextInt(4) == 0 ? Map.of("q", 1L) : "e" + i);
        }
        yield l;
      }
      default -> randomObject(r, depth + 1);
    };
  }
}
