package io.converge.server.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process reads its writes at once: a fence only has to name collections that exist. */
class DocumentWritesFenceTest {
  @TempDir Path dir;

  @Test
  void aFenceOnAnExistingCollectionPassesAndOnAnUnknownOneIs404() throws Exception {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      store.getOrCreate("orders");
      DocumentWrites writes = new DocumentWrites(store);
      assertDoesNotThrow(() -> writes.awaitFence(
          new FenceParameter(Map.of("orders", Map.of(0, 1_000_000L)), 0)));
      ApiException e = assertThrows(ApiException.class, () -> writes.awaitFence(
          new FenceParameter(Map.of("nothing", Map.of(0, 1L)), 0)));
      assertEquals(404, e.status);
      assertTrue(e.getMessage().contains("no collection 'nothing' (named in the fence)"),
          e.getMessage());
    }
  }
}
