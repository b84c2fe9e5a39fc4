package io.converge.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.storage.ConvergeStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code converge load}, run in-process through picocli. */
class LoadCommandTest {
  @TempDir
  Path tmp;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = ConvergeCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Path file(String name, String content) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private long count(Path dataDir, String collection) {
    try (ConvergeStore store = ConvergeStore.open(dataDir)) {
      return store.collection(collection).documentCount();
    }
  }

  @Test
  void aCleanFileLoadsEverythingAndExitsZero() throws Exception {
    Path data = tmp.resolve("data");
    Path f = file("ok.ndjson", "{\"_id\":1,\"a\":1}\n{\"_id\":2,\"a\":2}\n");
    Run r = run("load", "--data-dir", data.toString(), "--collection", "c", f.toString());
    assertEquals(ConvergeCli.OK, r.exit(), r.err());
    assertTrue(r.out().contains("Loaded 2 documents into 'c'"), r.out());
    assertEquals(2, count(data, "c"));
  }

  @Test
  void aMalformedLineIsReportedWithFileAndLineAndTheRestIsLoaded() throws Exception {
    Path data = tmp.resolve("data");
    Path f = file("mixed.ndjson",
        "{\"_id\":1,\"a\":1}\n{\"_id\":2,\"a\":\n{\"_id\":3,\"a\":3}\n{\"_id\":4,\"a\":4}\n");
    Run r = run("load", "--data-dir", data.toString(), "--collection", "c", f.toString());
    assertEquals(ConvergeCli.INCOMPLETE, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains(f + ":2: "), r.err());
    assertFalse(r.err().contains(f + ":1:"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
    assertTrue(r.out().contains("1 rejected"), r.out());
    assertEquals(3, count(data, "c"));
  }

  @Test
  void aMissingFileIsAClearErrorAndNothingIsOpened() throws Exception {
    Path data = tmp.resolve("data");
    Run r = run("load", "--data-dir", data.toString(), "--collection", "c",
        tmp.resolve("nope.ndjson").toString());
    assertEquals(ConvergeCli.FAILED, r.exit());
    assertTrue(r.err().contains("nope.ndjson: no such file"), r.err());
  }

  @Test
  void aDataDirectoryHeldByARunningServerIsRefusedWithItsMessage() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    Path f = file("ok.ndjson", "{\"a\":1}\n");
    ConvergeServer server = ConvergeServer.start(ServerOptions.of(data).withPort(0));
    try {
      Run r = run("load", "--data-dir", data.toString(), "--collection", "c", f.toString());
      assertEquals(ConvergeCli.FAILED, r.exit());
      assertTrue(r.err().startsWith("converge load: data directory "), r.err());
      assertFalse(r.err().contains("Exception"), r.err());
      assertFalse(r.err().contains("\tat "), r.err());
    } finally {
      server.stop();
    }
  }

  @Test
  void everySubcommandHasHelp() {
    for (String cmd : new String[] {"demo", "server", "load", "sql"}) {
      Run r = run(cmd, "--help");
      assertEquals(ConvergeCli.OK, r.exit(), cmd);
      assertTrue(r.out().startsWith("Usage: converge " + cmd), r.out());
    }
  }
}
