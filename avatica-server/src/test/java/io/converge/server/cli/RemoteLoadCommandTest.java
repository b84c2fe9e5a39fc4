package io.converge.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.auth.Role;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.auth.UserFile;
import io.converge.server.cli.LoadCommandTest.Run;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code converge load --url}: files through a running one-process server's HTTP API. */
class RemoteLoadCommandTest {
  @TempDir
  Path tmp;

  private ConvergeServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private ConvergeServer start() {
    server = ConvergeServer.start(ServerOptions.of(tmp.resolve("data")).withPort(0));
    return server;
  }

  private Path file(String name, String content) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private long count(String collection) {
    var c = server.store().collection(collection);
    return c == null ? 0 : c.documentCount();
  }

  @Test
  void aCleanFileLoadsEverythingThroughTheServer() throws Exception {
    start();
    Path f = file("ok.ndjson", "{\"_id\":1,\"a\":1}\n{\"_id\":2,\"a\":2}\n{\"a\":3}\n");
    Run r = LoadCommandTest.run("load", "--url", server.baseUrl(), "--collection", "c",
        f.toString());
    assertEquals(ConvergeCli.OK, r.exit(), r.err());
    assertTrue(r.out().contains("Loaded 3 documents into 'c'"), r.out());
    assertEquals(3, count("c"));
  }

  @Test
  void rejectedDocumentsAreReportedWithTheFilesLineAsTheLocalLoadDoes() throws Exception {
    start();
    String content = "{\"_id\":1,\"a\":1}\n{\"_id\":2,\"a\":\n{\"_id\":3,\"a\":3}\n[1,2]\n"
        + "{\"_id\":true}\n{\"_id\":4,\"a\":4}\n";
    Path f = file("mixed.ndjson", content);
    // tiny batches: the line numbers must survive the split into requests
    Run remote = LoadCommandTest.run("load", "--url", server.baseUrl(), "--collection", "c",
        "--batch-bytes", "20", f.toString());
    Run local = LoadCommandTest.run("load", "--data-dir", tmp.resolve("local").toString(),
        "--collection", "c", f.toString());
    assertEquals(ConvergeCli.INCOMPLETE, remote.exit(), remote.out() + remote.err());
    assertEquals(3, count("c"));
    for (int line : new int[] {2, 4, 5}) {
      assertTrue(remote.err().contains(f + ":" + line + ": "), remote.err());
      assertTrue(local.err().contains(f + ":" + line + ": "), local.err());
    }
    assertFalse(remote.err().contains(f + ":1:"), remote.err());
    assertTrue(remote.out().contains("3 rejected"), remote.out());
  }

  @Test
  void jsonArraysAndGzipLoadAndReportElements() throws Exception {
    start();
    Path f = tmp.resolve("arr.json.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write("[{\"_id\":\"x\",\"a\":1},[2],{\"_id\":\"y\",\"b\":{\"c\":2.5}}]"
          .getBytes(StandardCharsets.UTF_8));
    }
    Run r = LoadCommandTest.run("load", "--url", server.baseUrl(), "--collection", "arr",
        "--batch-bytes", "10", f.toString());
    assertEquals(ConvergeCli.INCOMPLETE, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains(f + ":2: "), r.err());
    assertEquals(2, count("arr"));
  }

  @Test
  void anUnreachableServerIsAOneLineError() throws Exception {
    Path f = file("ok.ndjson", "{\"a\":1}\n");
    Run r = LoadCommandTest.run("load", "--url", "http://127.0.0.1:1", "--collection", "c",
        f.toString());
    assertEquals(ConvergeCli.FAILED, r.exit());
    assertTrue(r.err().startsWith("converge load: " + f + ": cannot reach "), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void credentialsAreSentToAServerWithAuthentication() throws Exception {
    Path users = tmp.resolve("users");
    UserFile.put(users, "loader", "secret-password".toCharArray(), Role.WRITER);
    server = ConvergeServer.start(ServerOptions.of(tmp.resolve("data")).withPort(0),
        ServerSecurity.users(users));
    Path f = file("ok.ndjson", "{\"a\":1}\n");
    Run denied = LoadCommandTest.run("load", "--url", server.baseUrl(), "--collection", "c",
        f.toString());
    assertEquals(ConvergeCli.FAILED, denied.exit(), denied.err());
    assertTrue(denied.err().contains("401"), denied.err());
    Run r = LoadCommandTest.run("load", "--url", server.baseUrl(), "--collection", "c",
        "--user", "loader", "--password", "secret-password", f.toString());
    assertEquals(ConvergeCli.OK, r.exit(), r.err());
    assertEquals(1, count("c"));
  }
}
