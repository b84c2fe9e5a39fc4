package io.converge.server;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes small known collections (integers as Long, as the JSON reader produces them) into a data
 * directory (exclusively, then closes it).
 */
public final class TestDocuments {
  private TestDocuments() {}

  /** {@code orders}: three documents; {@code events}: {@code events} documents with ids 0..n-1. */
  public static void write(Path dataDir, int events) throws Exception {
    DocumentPreparer preparer = new DocumentPreparer();
    long now = 1_700_000_000_000L;
    try (ConvergeStore store = ConvergeStore.open(dataDir)) {
      ConvergeCollection orders = store.getOrCreate("orders");
      orders.upsert(List.of(
          preparer.prepare(Map.of("_id", "o1", "status", "open", "amount", 10L), now),
          preparer.prepare(Map.of("_id", "o2", "status", "shipped", "amount", 25L), now),
          preparer.prepare(Map.of("_id", "o3", "status", "open", "amount", 5L), now)));
      if (events > 0) {
        ConvergeCollection ev = store.getOrCreate("events");
        List<PreparedDocument> batch = new ArrayList<>();
        for (int i = 0; i < events; i++) {
          batch.add(preparer.prepare(Map.of("_id", Integer.toString(i), "n", (long) i), now));
          if (batch.size() == 1000) {
            ev.upsert(batch);
            batch.clear();
          }
        }
        if (!batch.isEmpty()) {
          ev.upsert(batch);
        }
      }
    }
  }
}
