package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.storage.ConvergeStore;
import io.converge.storage.StoreException;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RocksDB failures reach the user as one clear message: a directory held by another process, a
 * corrupt file, a write that fails (a full disk, simulated with {@code ulimit -f}); after a failed
 * write the server refuses everything with 503 instead of serving a broken store, and a restart
 * recovers every acknowledged write.
 */
class StorageErrorsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static Path filledDirectory(Path dir) {
    Path data = dir.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
      store.flush(); // table files on disk, not only the WAL
    }
    return data;
  }

  static void assertNoStackTrace(String output) {
    assertFalse(output.contains("\tat ") || output.contains("Exception in thread"),
        "a stack trace: " + output);
  }

  @Test
  void aSecondServerProcessOnAServedDirectoryExitsTwoNamingTheDirectory(@TempDir Path dir)
      throws Exception {
    Path data = filledDirectory(dir);
    try (ServerProcess first = ServerProcess.start(dir.resolve("first.log"), data, List.of())) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
          "io.converge.server.cli.ConvergeCli", "server", "--data-dir", data.toString(),
          "--port", "0"));
      cmd.addAll(ServerProcess.noAuthArguments());
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      File log = dir.resolve("second.log").toFile();
      pb.redirectOutput(log);
      Process second = pb.start();
      assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the second server did not exit");
      String output = Files.readString(log.toPath());
      assertEquals(2, second.exitValue(), output);
      assertTrue(output.contains("data directory " + data.toAbsolutePath().normalize()
          + " is in use by another process"), output);
      assertNoStackTrace(output);
      assertTrue(first.isAlive(), "the first server stopped");
      try (Connection c = DriverManager.getConnection(first.jdbcUrl())) {
        assertEquals(300L, Sql.scalar(c, "select count(*) from orders"));
      }
    }
  }

  /** A copy of {@code data} with {@code damage} done to it. */
  static Path damagedCopy(Path data, Path target, Damage damage) throws IOException {
    try (Stream<Path> files = Files.walk(data)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path to = target.resolve(data.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, to);
        }
      }
    }
    damage.apply(target);
    return target;
  }

  interface Damage {
    void apply(Path dir) throws IOException;
  }

  static List<Path> tableFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".sst"))
          .sorted(Comparator.comparingLong(p -> -p.toFile().length())).toList();
    }
  }

  /** Opening fails with one line naming the directory; {@code check} exits 2 with that line. */
  static String assertClearOpenFailure(Path copy) {
    StoreException e = assertThrows(StoreException.class, () -> ConvergeStore.open(copy).close());
    assertTrue(e.getMessage().contains(copy.toAbsolutePath().normalize().toString()),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    Cli.Result r = Cli.run("check", "--data-dir", copy.toString());
    assertEquals(2, r.exit(), r.all());
    assertTrue(r.err().contains(copy.toAbsolutePath().normalize().toString()), r.all());
    assertNoStackTrace(r.all());
    return e.getMessage();
  }

  @Test
  void aTruncatedTableFileIsReportedAsCorruptAtOpen(@TempDir Path dir) throws Exception {
    Path data = filledDirectory(dir);
    Path copy = damagedCopy(data, dir.resolve("copy"), d -> {
      Path sst = tableFiles(d).get(0);
      try (RandomAccessFile f = new RandomAccessFile(sst.toFile(), "rw")) {
        f.setLength(f.length() / 2);
      }
    });
    String message = assertClearOpenFailure(copy);
    assertTrue(message.contains("is corrupt"), message);
  }

  @Test
  void aGarbledCurrentFileIsReportedAtOpen(@TempDir Path dir) throws Exception {
    Path data = filledDirectory(dir);
    Path copy = damagedCopy(data, dir.resolve("copy"),
        d -> Files.writeString(d.resolve("CURRENT"), "MANIFEST-\u0001garbage\n"));
    String message = assertClearOpenFailure(copy);
    assertTrue(message.startsWith("cannot open data directory ")
        || message.contains("is corrupt"), message);
  }

  @Test
  void aMissingManifestIsReportedAtOpen(@TempDir Path dir) throws Exception {
    Path data = filledDirectory(dir);
    Path copy = damagedCopy(data, dir.resolve("copy"), d -> {
      try (Stream<Path> files = Files.list(d)) {
        for (Path p : files.filter(p -> p.getFileName().toString().startsWith("MANIFEST-"))
            .toList()) {
          Files.delete(p);
        }
      }
    });
    assertClearOpenFailure(copy);
  }

  @Test
  void garbledBlocksInsideTableFilesAreReportedWhenRead(@TempDir Path dir) throws Exception {
    Path data = filledDirectory(dir);
    Path copy = damagedCopy(data, dir.resolve("copy"), d -> {
      for (Path sst : tableFiles(d)) {
        try (RandomAccessFile f = new RandomAccessFile(sst.toFile(), "rw")) {
          for (long at = 0; at < f.length() / 2; at += 97) { // data blocks; the footer stays
            f.seek(at);
            f.write(0x5A);
          }
        }
      }
    });
    Cli.Result r = Cli.run("check", "--data-dir", copy.toString());
    assertEquals(2, r.exit(), r.all());
    assertTrue(r.err().toLowerCase().contains("corrupt"), r.all());
    assertNoStackTrace(r.all());
  }

  // --- a write that fails: a full disk ---------------------------------------------------------

  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  static HttpResponse<String> post(ServerProcess server, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(server.apiUrl()
            + "/collections/filler/docs")).header("Content-Type", "application/x-ndjson")
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The server runs under {@code ulimit -f} of 6 MiB, so its write-ahead log cannot grow past it
   * (the write fails with EFBIG, as on a full disk). Writes are acknowledged until then; the
   * failing one gets 503 with the reason, later requests and SQL queries are refused too; after a
   * restart without the limit every acknowledged document is there and the store is consistent.
   */
  @Test
  void aFailedWriteMakesTheServerRefuseEverythingUntilRestartedAndLosesNothingAcknowledged(
      @TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Set<String> acknowledged = new HashSet<>();
    HttpResponse<String> refused = null;
    Set<String> refusedIds = new HashSet<>();
    String payload = "x".repeat(20_000);
    try (ServerProcess server = ServerProcess.start(dir.resolve("limited.log"), data, List.of(),
        6L * 1024)) {
      for (int batch = 0; batch < 2_000 && refused == null; batch++) {
        StringBuilder body = new StringBuilder();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          String id = "b" + batch + "-" + i;
          ids.add(id);
          body.append("{\"_id\":\"").append(id).append("\",\"p\":\"").append(payload)
              .append("\"}\n");
        }
        HttpResponse<String> r = post(server, body.toString());
        if (r.statusCode() == 200) {
          acknowledged.addAll(ids);
        } else {
          refused = r;
          refusedIds.addAll(ids);
        }
      }
      assertNotNull(refused, "6 MiB of WAL never filled up");
      assertTrue(server.isAlive(), "the server died:\n" + server.log());
      assertEquals(503, refused.statusCode(), refused.body());
      JsonNode error = JSON.readTree(refused.body());
      assertTrue(error.path("error").asText().contains("is unusable after a storage failure"),
          refused.body());
      assertFalse(acknowledged.isEmpty());
      // Nothing more is served from the broken store.
      HttpResponse<String> later = post(server, "{\"_id\":\"after\"}\n");
      assertEquals(503, later.statusCode(), later.body());
      HttpResponse<String> list = HTTP.send(HttpRequest.newBuilder(
          URI.create(server.apiUrl() + "/collections")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, list.statusCode(), list.body());
      try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
        SQLException e = assertThrows(SQLException.class,
            () -> Sql.scalar(c, "select count(*) from filler"));
        assertTrue(BadInputTest.messages(e).contains("unusable"), BadInputTest.messages(e));
      }
      assertTrue(server.log().contains("unusable"), server.log());
      System.out.println("disk full after " + acknowledged.size() + " acknowledged documents: "
          + refused.body());
    }
    try (ServerProcess restarted = ServerProcess.start(dir.resolve("restarted.log"), data,
        List.of());
        Connection c = DriverManager.getConnection(restarted.jdbcUrl())) {
      List<Object> ids = Sql.column(c, "select \"_id\" from filler");
      Set<String> found = new HashSet<>(ids.stream().map(Object::toString).toList());
      Set<String> withRefused = new HashSet<>(acknowledged);
      withRefused.addAll(refusedIds); // the failed batch: whole or not at all
      assertTrue(found.equals(acknowledged) || found.equals(withRefused),
          "documents after the restart: " + found.size() + ", acknowledged "
              + acknowledged.size());
    }
    Cli.Result check = Cli.run("check", "--data-dir", data.toString());
    assertEquals(0, check.exit(), check.all());
  }

  static {
    try {
      Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
