package io.converge.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.schema.DeclaredColumn;
import io.converge.storage.schema.DeclaredSchema;
import io.converge.storage.schema.DeclaredSchemaException;
import io.converge.storage.schema.DeclaredType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Source offsets written with a batch of mutations, and read back. */
class SourceOffsetsTest {
  @TempDir
  Path dir;

  private final DocumentPreparer preparer = new DocumentPreparer();

  private Mutation upsert(Object... kv) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    PreparedDocument d = preparer.prepare(m, 1_000L);
    return Mutation.upsert(d);
  }

  @Test
  void offsetsWrittenWithABatchAreReadBack() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("events");
      assertEquals(OptionalLong.empty(), c.sourceOffset("kafka:t:0"));
      c.write(List.of(upsert("_id", "a", "v", 1L)),
          SourceOffsets.of(Map.of("kafka:t:0", 7L, "kafka:t:1", 0L)));
      assertEquals(OptionalLong.of(7), c.sourceOffset("kafka:t:0"));
      assertEquals(OptionalLong.of(0), c.sourceOffset("kafka:t:1"));
      assertEquals(OptionalLong.empty(), c.sourceOffset("kafka:t:2"));
      assertEquals(OptionalLong.empty(), c.sourceOffset("kafka:t:"), "names match exactly");

      // A later batch moves one source on and leaves the other; a batch without offsets and a
      // batch of offsets alone behave as they say.
      c.write(List.of(upsert("_id", "b", "v", 2L)), SourceOffsets.of("kafka:t:0", 9L));
      c.upsert(List.of(preparer.prepare(Map.of("_id", "c"), 1_000L)));
      c.write(List.of(), SourceOffsets.of("kafka:t:1", Long.MAX_VALUE));
      assertEquals(OptionalLong.of(9), c.sourceOffset("kafka:t:0"));
      assertEquals(OptionalLong.of(Long.MAX_VALUE), c.sourceOffset("kafka:t:1"));
      assertEquals(3, c.documentCount());
    }
  }

  @Test
  void offsetsSurviveAReopenWithTheirDocuments() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("events");
      c.write(List.of(upsert("_id", "a"), upsert("_id", "b")), SourceOffsets.of("s", 2L));
    }
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.collection("events");
      assertEquals(OptionalLong.of(2), c.sourceOffset("s"));
      assertEquals(2, c.documentCount());
    }
  }

  @Test
  void aRefusedBatchStoresNoOffsets() throws Exception {
    DeclaredSchema declared = new DeclaredSchema(
        List.of(new DeclaredColumn("n", DeclaredType.INTEGER, -1, -1, true)), List.of());
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.create("t", declared);
      c.write(List.of(upsert("_id", "a", "n", 1L)), SourceOffsets.of("s", 1L));
      assertThrows(DeclaredSchemaException.class, () -> c.write(
          List.of(upsert("_id", "b", "n", 2L), upsert("_id", "c", "n", "not a number")),
          SourceOffsets.of("s", 3L)));
      assertEquals(OptionalLong.of(1), c.sourceOffset("s"), "offsets only with their batch");
      assertEquals(1, c.documentCount());
      c.write(List.of(upsert("_id", "b", "n", 2L)), SourceOffsets.of("s", 2L));
      assertEquals(OptionalLong.of(2), c.sourceOffset("s"));

      assertTrue(store.drop("t"));
      assertThrows(StoreException.class,
          () -> c.write(List.of(upsert("_id", "d", "n", 4L)), SourceOffsets.of("s", 4L)));
      ConvergeCollection again = store.create("t", declared);
      assertEquals(OptionalLong.empty(), again.sourceOffset("s"), "dropped with its collection");
    }
  }

  @Test
  void badNamesAndOffsetsAreRefused() throws Exception {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SourceOffsets.of("", 1L));
    assertEquals("a source name must not be empty", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SourceOffsets.of(null, 1L));
    e = assertThrows(IllegalArgumentException.class, () -> SourceOffsets.of("kafka:t:0", -1L));
    assertEquals("the offset of source 'kafka:t:0' must be >= 0, not -1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SourceOffsets.of("x\uD800", 1L));
    Map<String, Long> withNull = new HashMap<>();
    withNull.put("s", null);
    e = assertThrows(IllegalArgumentException.class, () -> SourceOffsets.of(withNull));
    assertEquals("source 's' has no offset", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> SourceOffsets.none().with("a", 1L).with("b", -5L));
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("events");
      assertThrows(IllegalArgumentException.class, () -> c.sourceOffset(""));
      assertThrows(IllegalArgumentException.class, () -> c.sourceOffset(null));
    }
  }

  @Test
  void offsetsAreValuesInNameOrder() {
    SourceOffsets a = SourceOffsets.none().with("b", 2L).with("a", 1L).with("b", 3L);
    assertEquals(List.of("a", "b"), List.copyOf(a.asMap().keySet()));
    assertEquals(Map.of("a", 1L, "b", 3L), a.asMap());
    assertEquals(SourceOffsets.of(Map.of("a", 1L, "b", 3L)), a);
    assertTrue(SourceOffsets.of(Map.of()).isEmpty());
    assertThrows(UnsupportedOperationException.class, () -> a.asMap().put("c", 1L));
  }
}
