package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bad SQL, unknown names, huge values and malformed input: clear errors, nothing lost. */
class BadInputTest {
  static final int MEGABYTE = 1 << 20;

  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData()
      .and(store -> TestData.upsert(store.getOrCreate("blobs"), List.of(blob())));

  static Connection connection;

  @BeforeAll
  static void connect() throws SQLException {
    connection = SERVER.connect();
  }

  /** A 1 MiB string, deterministic, with a marker at each end. */
  static String megabyteString() {
    StringBuilder sb = new StringBuilder(MEGABYTE);
    sb.append("BEGIN");
    for (int i = 0; sb.length() < MEGABYTE - 3; i++) {
      sb.append((char) ('a' + i % 26));
    }
    sb.append("END");
    return sb.toString();
  }

  static Map<String, Object> blob() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("_id", "big");
    doc.put("payload", megabyteString());
    doc.put("size", (long) MEGABYTE);
    return doc;
  }

  private static SQLException failing(String sql) {
    return assertThrows(SQLException.class, () -> Sql.rows(connection, sql), sql);
  }

  @Test
  void unknownCollectionReportsCalcitesReason() {
    SQLException e = failing("select * from nope");
    assertTrue(e.getMessage().contains("Object 'nope' not found"), e.getMessage());
  }

  @Test
  void unknownColumnReportsCalcitesReason() {
    SQLException e = failing("select nope from orders");
    assertTrue(e.getMessage().contains("Column 'nope' not found"), e.getMessage());
  }

  @Test
  void syntaxErrorReportsTheParserReason() {
    SQLException e = failing("select status from orders where");
    assertTrue(e.getMessage().contains("Encountered \"<EOF>\" at line 1"), e.getMessage());
  }

  /** The message a tool shows: the exception's and its causes'. */
  static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t.getMessage()).append('\n');
      // Avatica's client replaces a failed prepare's message with its own ("while preparing
      // SQL"); the server's message travels in the exception's server-side traces, which is
      // where JDBC tools find it.
      if (t instanceof org.apache.calcite.avatica.AvaticaSqlException a) {
        for (String trace : a.getStackTraces()) {
          sb.append(trace, 0, Math.min(trace.length(), 2000)).append('\n');
        }
      }
    }
    return sb.toString();
  }

  @Test
  void preparingBadSqlReportsCalcitesReason() {
    SQLException e = assertThrows(SQLException.class,
        () -> connection.prepareStatement("select * from orders where nope = ?"));
    assertTrue(messages(e).contains("Column 'nope' not found"), messages(e));
  }

  @Test
  void runtimeErrorReportsItsReason() {
    SQLException e = failing("select quantity / (quantity - quantity) from orders");
    assertTrue(e.getMessage().toLowerCase().contains("by zero"), e.getMessage());
  }

  @Test
  void serverKeepsAnsweringAfterBadSql() throws SQLException {
    for (int i = 0; i < 20; i++) {
      failing("select * from nope" + i);
    }
    assertEquals(300L, Sql.scalar(connection, "select count(*) from orders"));
    try (Connection fresh = SERVER.connect()) {
      assertEquals(20L, Sql.scalar(fresh, "select count(*) from customers"));
    }
  }

  @Test
  void statementIsReusableAfterAnError() throws SQLException {
    try (Statement s = connection.createStatement()) {
      assertThrows(SQLException.class, () -> s.executeQuery("select * from nope"));
      try (ResultSet rs = s.executeQuery("select count(*) from customers")) {
        assertTrue(rs.next());
        assertEquals(20L, rs.getLong(1));
      }
    }
  }

  @Test
  void megabyteStringValueReadsBackWhole() throws SQLException {
    assertEquals(megabyteString(),
        Sql.scalar(connection, "select payload from blobs where \"_id\" = 'big'"));
  }

  @Test
  void megabyteStringValueHasItsLength() throws SQLException {
    assertEquals((long) MEGABYTE,
        Sql.scalar(connection, "select char_length(payload) from blobs"));
  }

  // --- bulk load through the command-line tool ----------------------------------------------

  static Map<String, Object> event(String id, long v) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", id);
    d.put("v", v);
    return d;
  }

  static long count(Path dir, String collection) {
    try (ConvergeStore store = ConvergeStore.open(dir)) {
      ConvergeCollection c = store.collection(collection);
      return c == null ? -1 : c.documentCount();
    }
  }

  /**
   * An NDJSON file mixing good and bad lines, loaded once into a directory that already holds
   * 50 documents (e0..e49, v = index).
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class LoadWithMalformedLines {
    Path dir;

    Path file;
    Cli.Result result;

    @BeforeAll
    void load() throws IOException {
      dir = Files.createTempDirectory("converge-load-");
      Path data = dir.resolve("data");
      List<Map<String, Object>> before = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        before.add(event("e" + i, i));
      }
      try (ConvergeStore store = ConvergeStore.open(data)) {
        TestData.upsert(store.getOrCreate("events"), before);
      }
      file = dir.resolve("bad.ndjson");
      Files.write(file, List.of(
          "{\"_id\": \"n1\", \"v\": 1}",              // 1 valid
          "{\"_id\": \"n2\", \"v\": }",               // 2 malformed
          "{\"_id\": \"n3\", \"v\": 3}",              // 3 valid
          "not json at all",                          // 4 malformed
          "{\"_id\": \"e7\", \"v\": 700}",            // 5 valid, replaces e7
          "[1, 2, 3]",                                // 6 not an object
          "{\"_id\": {\"nested\": 1}, \"v\": 6}",     // 7 wrong type for _id
          "{\"_id\": \"n8\", \"v\": 8, \"deep\": {\"x\": [1, \"two\", null]}}" // 8 valid
      ), StandardCharsets.UTF_8);
      result = Cli.run("load", "--data-dir", data.toString(), "--collection", "events",
          file.toString());
    }

    @AfterAll
    void deleteDirectory() throws IOException {
      ConvergeServerExtension.deleteRecursively(dir);
    }

    @Test
    void exitsWithStatusOne() {
      assertEquals(1, result.exit(), result.all());
    }

    @Test
    void reportsFileAndLineOfEachRejectedLine() {
      for (int line : new int[] {2, 4, 6, 7}) {
        assertTrue(result.all().contains("bad.ndjson:" + line),
            "bad.ndjson:" + line + " in: " + result.all());
      }
    }

    @Test
    void doesNotReportValidLines() {
      for (int line : new int[] {1, 3, 5, 8}) {
        assertTrue(!result.all().contains("bad.ndjson:" + line + ":")
            && !result.all().contains("bad.ndjson:" + line + " "),
            "valid line " + line + " reported in: " + result.all());
      }
    }

    @Test
    void storesEveryValidLineAndKeepsWhatWasThere() {
      try (ConvergeStore store = ConvergeStore.open(dir.resolve("data"));
          CollectionSnapshot snap = store.collection("events").snapshot()) {
        assertEquals(53, snap.count(), "50 before + n1, n3, n8 (e7 replaced)");
        assertEquals(1L, snap.document("n1").get("v"));
        assertEquals(3L, snap.document("n3").get("v"));
        assertNotNull(snap.document("n8"));
        assertEquals(700L, snap.document("e7").get("v"));
        assertNull(snap.document("n2"));
        for (int i = 0; i < 50; i++) {
          if (i != 7) {
            assertEquals((long) i, snap.document("e" + i).get("v"), "e" + i);
          }
        }
      }
    }
  }

  @Test
  void loadOfAValidFileExitsZero(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("good.ndjson");
    Files.write(file, List.of("{\"_id\": \"a\", \"v\": 1}", "{\"_id\": \"b\", \"v\": 2}"));
    Cli.Result r = Cli.run("load", "--data-dir", dir.resolve("data").toString(),
        "--collection", "events", file.toString());
    assertEquals(0, r.exit(), r.all());
    assertEquals(2, count(dir.resolve("data"), "events"));
  }

  @Test
  void loadOfABrokenJsonArrayKeepsTheDocumentsBeforeTheBreak(@TempDir Path dir)
      throws IOException {
    Path data = dir.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.upsert(store.getOrCreate("events"), List.of(event("old", 0)));
    }
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "[\n{\"_id\": \"a1\", \"v\": 1},\n{\"_id\": \"a2\", \"v\": 2},\n"
        + "{\"_id\": \"a3\", \"v\": \n", StandardCharsets.UTF_8);
    Cli.Result r = Cli.run("load", "--data-dir", data.toString(), "--collection", "events",
        file.toString());
    assertEquals(1, r.exit(), r.all());
    assertTrue(r.all().contains("broken.json:"), r.all());
    try (ConvergeStore store = ConvergeStore.open(data);
        CollectionSnapshot snap = store.collection("events").snapshot()) {
      assertNotNull(snap.document("old"));
      assertNotNull(snap.document("a1"));
      assertNotNull(snap.document("a2"));
      assertNull(snap.document("a3"));
    }
  }

  @Test
  void loadOfALineWithAMegabyteStringStoresItWhole(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("big.ndjson");
    Files.write(file, List.of("{\"_id\": \"big\", \"payload\": \"" + megabyteString() + "\"}",
        "{\"_id\": \"small\", \"payload\": \"x\"}"), StandardCharsets.UTF_8);
    Path data = dir.resolve("data");
    Cli.Result r = Cli.run("load", "--data-dir", data.toString(), "--collection", "blobs",
        file.toString());
    assertEquals(0, r.exit(), r.all());
    try (ConvergeStore store = ConvergeStore.open(data);
        CollectionSnapshot snap = store.collection("blobs").snapshot()) {
      assertEquals(megabyteString(), snap.document("big").get("payload"));
      assertEquals("x", snap.document("small").get("payload"));
    }
  }

  @Test
  void loadOfAMissingFileFailsClearly(@TempDir Path dir) {
    Cli.Result r = Cli.run("load", "--data-dir", dir.resolve("data").toString(),
        "--collection", "events", dir.resolve("absent.ndjson").toString());
    assertTrue(r.exit() != 0, r.all());
    assertTrue(r.all().contains("absent.ndjson"), r.all());
    assertTrue(!r.all().contains("\tat "), "no stack trace: " + r.all());
  }
}
