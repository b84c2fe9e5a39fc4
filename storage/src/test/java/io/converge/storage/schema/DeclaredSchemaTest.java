package io.converge.storage.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Declared schemas: the coercion rules, the catalog encoding, and a store that keeps them. */
class DeclaredSchemaTest {
  private static DeclaredColumn col(String name, DeclaredType type, int precision, int scale) {
    return new DeclaredColumn(name, type, precision, scale, true);
  }

  private static Object coerce(DeclaredColumn c, Object v) {
    return DeclaredSchema.coerce(c, v, "t");
  }

  @Test
  void integersTakeIntegersIntegralDoublesAndIntegerStringsWithinRange() {
    DeclaredColumn i = col("i", DeclaredType.INTEGER, -1, -1);
    assertEquals(12L, coerce(i, 12L));
    assertEquals(12L, coerce(i, 12.0));
    assertEquals(12L, coerce(i, " 12 "));
    assertThrows(DeclaredSchemaException.class, () -> coerce(i, 12.5));
    assertThrows(DeclaredSchemaException.class, () -> coerce(i, "12x"));
    assertThrows(DeclaredSchemaException.class, () -> coerce(i, 1L << 31));
    assertThrows(DeclaredSchemaException.class, () -> coerce(i, true));
    DeclaredColumn t = col("t", DeclaredType.TINYINT, -1, -1);
    assertEquals(-128L, coerce(t, -128L));
    assertThrows(DeclaredSchemaException.class, () -> coerce(t, 128L));
  }

  @Test
  void approximateAndDecimalTypes() {
    assertEquals(3.0, coerce(col("d", DeclaredType.DOUBLE, -1, -1), 3L));
    assertEquals(2.5, coerce(col("d", DeclaredType.DOUBLE, -1, -1), "2.5"));
    assertEquals((double) 0.1f, coerce(col("r", DeclaredType.REAL, -1, -1), 0.1));
    DeclaredColumn dec = col("m", DeclaredType.DECIMAL, 5, 2);
    assertEquals(1.01, coerce(dec, 1.005));
    assertEquals(999.99, coerce(dec, "999.99"));
    DeclaredSchemaException e = assertThrows(DeclaredSchemaException.class,
        () -> coerce(dec, 1000L));
    assertEquals("table 't': column 'm' (DECIMAL(5, 2)) cannot hold 1000 (an integer)",
        e.getMessage());
  }

  @Test
  void textBooleanDateAndTimestamp() {
    DeclaredColumn v = col("v", DeclaredType.VARCHAR, 3, -1);
    assertEquals("abc", coerce(v, "abc"));
    assertEquals("12", coerce(v, 12L));
    assertEquals("1.5", coerce(v, 1.5));
    assertThrows(DeclaredSchemaException.class, () -> coerce(v, "abcd"));
    assertEquals("ab ", coerce(col("c", DeclaredType.CHAR, 3, -1), "ab"));
    assertEquals(true, coerce(col("b", DeclaredType.BOOLEAN, -1, -1), "TRUE"));
    assertThrows(DeclaredSchemaException.class,
        () -> coerce(col("b", DeclaredType.BOOLEAN, -1, -1), 1L));
    assertEquals(Instant.parse("2026-11-25T00:00:00Z"),
        coerce(col("d", DeclaredType.DATE, -1, -1), "2026-11-25"));
    assertThrows(DeclaredSchemaException.class,
        () -> coerce(col("d", DeclaredType.DATE, -1, -1), "2026-11-25T10:00:00Z"));
    assertEquals(Instant.ofEpochMilli(1000),
        coerce(col("ts", DeclaredType.TIMESTAMP, -1, -1), 1000L));
    assertNull(coerce(v, null));
  }

  @Test
  void encodingRoundTripsAndDeclarationsAreChecked() {
    DeclaredSchema s = new DeclaredSchema(List.of(col("a", DeclaredType.INTEGER, -1, -1),
        new DeclaredColumn("B", DeclaredType.VARCHAR, 10, -1, false),
        col("c", DeclaredType.DECIMAL, 10, 3)), List.of(0));
    DeclaredSchema back = DeclaredSchema.decode(s.encode());
    assertEquals(s.columns().toString(), back.columns().toString());
    assertEquals(List.of(0), back.primaryKey());
    assertTrue(!back.columns().get(0).nullable(), "a primary key column is NOT NULL");
    assertEquals(1, back.indexOf("b"));
    assertThrows(DeclaredSchemaException.class, () -> new DeclaredSchema(
        List.of(col("a", DeclaredType.INTEGER, -1, -1), col("A", DeclaredType.INTEGER, -1, -1)),
        List.of()));
    assertThrows(DeclaredSchemaException.class, () -> new DeclaredSchema(
        List.of(col("a.b", DeclaredType.INTEGER, -1, -1)), List.of()));
    assertThrows(DeclaredSchemaException.class, () -> new DeclaredSchema(
        List.of(col("m", DeclaredType.DECIMAL, 20, 2)), List.of()));
  }

  @Test
  void aStoreKeepsTheDeclarationAcrossReopenAndDropForgetsIt(@TempDir Path dir)
      throws Exception {
    DeclaredSchema s = new DeclaredSchema(List.of(col("k", DeclaredType.INTEGER, -1, -1),
        col("v", DeclaredType.DOUBLE, -1, -1)), List.of(0));
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.create("t", s);
      assertThrows(IllegalArgumentException.class, () -> store.create("t", s));
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("k", "7");
      doc.put("v", 1L);
      PreparedDocument d = new DocumentPreparer().prepare(doc, 0);
      c.upsert(List.of(d));
      try (var snap = c.snapshot()) {
        assertEquals(Map.of("_id", "7", "_event_time", 0L, "k", 7L, "v", 1.0),
            Map.copyOf(snap.document("7")));
      }
    }
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.collection("t");
      assertEquals(s.toString(), c.declared().toString());
      long before = store.catalogGeneration();
      store.drop("t");
      assertTrue(store.catalogGeneration() > before);
      ConvergeCollection again = store.getOrCreate("t");
      assertNull(again.declared(), "a new collection of the dropped name is schemaless");
    }
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      assertNull(store.collection("t").declared());
    }
  }
}
