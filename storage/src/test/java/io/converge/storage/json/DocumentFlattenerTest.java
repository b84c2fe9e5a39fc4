package io.converge.storage.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link DocumentFlattener#leafAt} answers what {@link DocumentFlattener#flatten} reports. */
class DocumentFlattenerTest {
  @Test
  void leafAtAgreesWithFlattenOnRandomDocuments() {
    SplittableRandom r = new SplittableRandom(5);
    for (int d = 0; d < 2000; d++) {
      Map<String, Object> doc = randomObject(r, 0);
      Map<String, Object> leaves = new LinkedHashMap<>();
      DocumentFlattener.flatten(doc, (path, value) -> leaves.put(path, value));
      for (Map.Entry<String, Object> e : leaves.entrySet()) {
        assertEquals(e.getValue(), DocumentFlattener.leafAt(doc, e.getKey()), e.getKey() + " in " + doc);
      }
      assertNull(DocumentFlattener.leafAt(doc, "no.such.path"));
    }
  }

  @Test
  void objectsAreNotLeavesAndSystemFieldsAreSkipped() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("_id", "x");
    doc.put("customer", new LinkedHashMap<>(Map.of("id", "c1")));
    doc.put("at", "2026-11-25T10:00:00Z");
    assertNull(DocumentFlattener.leafAt(doc, "customer"));
    assertNull(DocumentFlattener.leafAt(doc, "_id"));
    assertEquals("c1", DocumentFlattener.leafAt(doc, "customer.id"));
    assertEquals(java.time.Instant.parse("2026-11-25T10:00:00Z"), DocumentFlattener.leafAt(doc, "at"));
    // A key holding a dot and a nested object flatten to one path: the later one wins.
    doc.put("a.b", 1L);
    doc.put("a", new LinkedHashMap<>(Map.of("b", 2L)));
    assertEquals(2L, DocumentFlattener.leafAt(doc, "a.b"));
  }

  private static Map<String, Object> randomObject(SplittableRandom r, int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    int n = r.nextInt(1, 6);
    for (int i = 0; i < n; i++) {
      String key = "k" + r.nextInt(8) + (r.nextInt(10) == 0 ? ".x" : "");
      m.put(key, randomValue(r, depth));
    }
    return m;
  }

  private static Object randomValue(SplittableRandom r, int depth) {
    return switch (r.nextInt(depth < 3 ? 7 : 5)) {
      case 0 -> null;
      case 1 -> r.nextLong(-100, 100);
      case 2 -> r.nextInt(3) == 0 ? "2026-01-0" + r.nextInt(1, 9) + "T00:00:00Z" : "s" + r.nextInt(50);
      case 3 -> r.nextBoolean();
      case 4 -> {
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
