package io.converge.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code converge check}: exit 0 on a consistent directory, 2 when there is nothing to check. */
class CheckCommandTest {
  @TempDir
  Path tmp;

  @Test
  void aLoadedDirectoryIsConsistent() throws Exception {
    Path data = tmp.resolve("data");
    StringBuilder json = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      json.append("{\"_id\":\"d").append(i).append("\",\"n\":").append(i % 7).append("}\n");
    }
    Path f = tmp.resolve("docs.ndjson");
    Files.writeString(f, json, StandardCharsets.UTF_8);
    assertEquals(0, LoadCommandTest.run("load", "--data-dir", data.toString(), "--collection",
        "c", f.toString()).exit());

    LoadCommandTest.Run ok = LoadCommandTest.run("check", "--data-dir", data.toString());
    assertEquals(0, ok.exit(), ok.out() + ok.err());
    assertTrue(ok.out().contains("c: 500 rows") && ok.out().contains("consistent"), ok.out());

    // Damage detection itself is tested in storage (ConsistencyCheckerTest).
    LoadCommandTest.Run missing = LoadCommandTest.run("check", "--data-dir", data.toString(),
        "--collection", "other");
    assertEquals(2, missing.exit(), missing.out() + missing.err());

    LoadCommandTest.Run none = LoadCommandTest.run("check", "--data-dir", tmp.resolve("nope").toString());
    assertEquals(2, none.exit());
  }
}
