package io.converge.storage.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BulkLoaderTest {
  @TempDir
  Path dir;

  @Test
  void loadsValidLinesAndReportsBadOnes() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      sb.append("{\"_id\":").append(i).append(",\"v\":").append(i).append("}\n");
      if (i == 100) {
        sb.append("{broken\n");
      }
      if (i == 200) {
        sb.append("{\"_id\": true}\n");
      }
    }
    List<String> errors = new ArrayList<>();
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("c");
      c.upsert(List.of(new io.converge.storage.json.DocumentPreparer().prepare(
          java.util.Map.of("_id", "kept"), 0)));
      LoadResult r = new BulkLoader(c, 1000).load("in.ndjson",
          new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)),
          new LoadListener() {
            @Override
            public void rejected(String source, long line, String reason) {
              errors.add(source + ":" + line + ": " + reason);
            }
          });
      assertEquals(5000, r.loaded());
      assertEquals(2, r.rejected());
      assertEquals(5001, c.documentCount());
      assertTrue(errors.get(0).startsWith("in.ndjson:102: "), errors.get(0));
      assertTrue(errors.get(1).startsWith("in.ndjson:203: _id must be"), errors.get(1));
    }
  }

  @Test
  void brokenJsonArrayKeepsTheDocumentsBeforeTheError() throws Exception {
    String body = "[{\"_id\":\"a\"},{\"_id\":\"b\"},{\"_id\": ]";
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.getOrCreate("c");
      LoadResult r = new BulkLoader(c).load("x.json",
          new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), new LoadListener() {});
      assertEquals(2, r.loaded());
      assertNotNull(r.malformed());
      assertEquals(2, c.documentCount());
    }
  }
}
