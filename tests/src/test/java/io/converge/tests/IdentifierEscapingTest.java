package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.server.ConvergeServer;
import io.converge.storage.ConvergeStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collection names from clients never become file paths or unescaped RocksDB keys: names with
 * {@code ../}, {@code ..\}, quotes, slashes, NUL and other control characters, unicode and the
 * longest allowed length are either stored under exactly that name (readable back over HTTP and
 * SQL, also after a restart) or refused with 400 / an SQL error; no file appears outside the data
 * directory, the data directory holds only RocksDB's files, and other collections are unaffected.
 */
class IdentifierEscapingTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  /** File names RocksDB (and the server's advertisement file) put in a data directory. */
  static final Pattern ROCKSDB_FILE = Pattern.compile("\\d+\\.(sst|log|blob)|CURRENT|IDENTITY|LOCK"
      + "|LOG(\\.old\\.\\d+)?|MANIFEST-\\d+|OPTIONS-\\d+(\\.dbtmp)?|converge-server\\.json");

  /**
   * Calcite's parser refuses longer identifiers, so collections with longer names (up to 255
   * characters) are reachable over HTTP only.
   */
  static final int SQL_IDENTIFIER_MAX = 128;

  /** Names that are valid collection names: stored and read back exactly. */
  static final List<String> ACCEPTED = List.of(
      "../escape", "../../escape2", "..\\escape3", "..\\..\\escape4", "..", ".", "a/b", "/abs",
      "a\"quote", "it's", "semi;colon", "back`tick", "per%25cent", "sp ace", "CON",
      "日本語のコレクション", "emoji😀name", "x".repeat(255), "😀".repeat(127));
  /** Names created through SQL DDL. */
  static final List<String> DDL_NAMES = List.of("../ddl_escape", "..\\ddl\"q'uote", "ddl/slash",
      "ddl 名前");

  /** Names refused with 400: NUL and other control characters, longer than 255 characters. */
  static final List<String> REFUSED = List.of("nul\0byte", "\0", "tab\there", "new\nline",
      "y".repeat(256));

  /** Percent-encodes every byte outside the URI's unreserved set (dots too). */
  static String encode(String name) {
    StringBuilder b = new StringBuilder();
    for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
          || c == '_' || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(String.format("%02X", c));
      }
    }
    return b.toString();
  }

  record Answer(int status, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  static Answer http(ConvergeServer server, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    HttpResponse<String> r = HTTP.send(b.build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Answer(r.statusCode(), r.body());
  }

  static String doc(String id, String name) throws IOException {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", id);
    d.put("label", name);
    return JSON.writeValueAsString(d);
  }

  @Test
  void hostileCollectionNamesAreStoredExactlyOrRefused(@TempDir Path root) throws Exception {
    Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    Path data = root.resolve("a").resolve("b").resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
    }
    ConvergeServer server = Servers.start(data);
    try {
      for (String name : ACCEPTED) {
        Answer post = http(server, "POST", "/v1/collections/" + encode(name) + "/docs",
            doc("1", name));
        assertEquals(200, post.status(), "POST " + printable(name) + ": " + post.body());
      }
      for (String name : REFUSED) {
        Answer post = http(server, "POST", "/v1/collections/" + encode(name) + "/docs",
            doc("1", name));
        assertEquals(400, post.status(), "POST " + printable(name) + ": " + post.body());
        if (post.body().startsWith("{")) {
          assertTrue(post.json().path("error").asText().startsWith("bad collection name: "),
              post.body());
        } else {
          // Jetty itself refuses some encodings (%00 in a path) before the API sees them
          System.out.println("Jetty refused " + printable(name) + ": " + post.body());
          assertTrue(post.body().contains("400"), post.body());
        }
      }
      // SQL: quoted identifiers reach exactly those collections, for reads and writes
      try (Connection c = DriverManager.getConnection(server.jdbcUrl());
          Statement s = c.createStatement()) {
        for (String name : ACCEPTED) {
          if (name.length() > SQL_IDENTIFIER_MAX) {
            Exception e = assertThrows(Exception.class, () -> s.executeUpdate("insert into "
                + Sql.quote(name) + " (\"_id\", label) values ('2', 'x')"));
            assertTrue(AuthTest.messages(e).contains("must be less than or equal to 128 characters"),
                AuthTest.messages(e));
            http(server, "POST", "/v1/collections/" + encode(name) + "/docs", doc("2", name));
            continue;
          }
          // the label as a parameter: Calcite's string literals are ISO-8859-1 by default
          try (var ps = c.prepareStatement("insert into " + Sql.quote(name)
              + " (\"_id\", label) values ('2', ?)")) {
            ps.setString(1, name);
            assertEquals(1, ps.executeUpdate(), printable(name));
          }
        }
        // DDL: CREATE TABLE with hostile quoted names makes collections of exactly those names
        for (String name : DDL_NAMES) {
          s.execute("create table " + Sql.quote(name) + " (label varchar)");
          try (var ps = c.prepareStatement("insert into " + Sql.quote(name)
              + " (label) values (?)")) { // a declared table: _id generated
            for (int i = 0; i < 2; i++) {
              ps.setString(1, name);
              assertEquals(1, ps.executeUpdate(), printable(name));
            }
          }
        }
        SQLException missing = assertThrows(SQLException.class,
            () -> s.executeQuery("select * from " + Sql.quote("../../../etc/passwd")));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
        assertThrows(SQLException.class,
            () -> s.executeQuery("select * from " + Sql.quote("nul\0byte")));
      }
      checkReadBack(server);
    } finally {
      server.stop();
    }
    // after a restart the names come back from the catalog keys unchanged
    server = Servers.start(data);
    try {
      checkReadBack(server);
    } finally {
      server.stop();
    }
    // nothing outside the data directory, nothing but RocksDB's files inside it
    assertEquals(List.of("a"), names(root));
    assertEquals(List.of("b"), names(root.resolve("a")));
    assertEquals(List.of("data"), names(root.resolve("a").resolve("b")));
    try (Stream<Path> files = Files.list(data)) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        assertTrue(Files.isRegularFile(f) && ROCKSDB_FILE.matcher(n).matches(),
            "unexpected entry in the data directory: " + n);
      }
    }
    for (String name : all()) {
      try {
        Path p = data.resolve(name).normalize();
        if (!p.equals(data) && !p.equals(data.getParent())) {
          assertFalse(Files.exists(p), "a file appeared at " + p);
        }
      } catch (InvalidPathException notAPath) {
        // cannot be a file name at all
      }
    }
  }

  @Test
  void unpairedSurrogatesAreRefusedSoNoTwoNamesShareACatalogKey(@TempDir Path root) {
    try (ConvergeStore store = ConvergeStore.open(root.resolve("data"))) {
      // "a\uD800" would encode to the UTF-8 of "a?" and share its catalog key
      for (String bad : List.of("a\uD800", "\uDC00b", "x\uDBFFy")) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> store.getOrCreate(bad));
        assertTrue(e.getMessage().contains("unpaired UTF-16 surrogate"), e.getMessage());
      }
      store.getOrCreate("a?");
      store.getOrCreate("a\uD83D\uDE00"); // a pair: fine
      assertEquals(List.of("a?", "a\uD83D\uDE00"), store.collectionNames());
    }
  }

  @Test
  void documentIdsWithUnpairedSurrogatesDoNotShareAKeyWithOthers(@TempDir Path root)
      throws Exception {
    Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    ConvergeServer server = Servers.start(root.resolve("data"));
    try {
      // JSON escapes can spell an unpaired surrogate; its UTF-8 key must not be the one of "x?"
      Answer first = http(server, "POST", "/v1/collections/ids/docs",
          "{\"_id\": \"x?\", \"v\": 1}");
      assertEquals(200, first.status(), first.body());
      Answer lone = http(server, "POST", "/v1/collections/ids/docs",
          "{\"_id\": \"x\\ud800\", \"v\": 2}");
      assertEquals(200, lone.status(), lone.body());
      // refused alone (its UTF-8 key would be the one of "x?"), the first document untouched
      assertEquals(0, lone.json().path("written").asInt(), lone.body());
      assertEquals(1, lone.json().path("errors").asInt(), lone.body());
      assertTrue(lone.json().path("results").get(0).path("error").asText()
          .contains("unpaired UTF-16 surrogate"), lone.body());
      try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
        assertEquals(List.of(List.of("x?", 1L)),
            Sql.rows(c, "select \"_id\", v from ids order by v"));
      }
    } finally {
      server.stop();
    }
  }

  @Test
  void fieldNamesWithUnpairedSurrogatesAreRefusedAndOthersSurviveARestart(@TempDir Path root)
      throws Exception {
    Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    Path data = root.resolve("data");
    ConvergeServer server = Servers.start(data);
    Answer lone;
    try {
      assertEquals(200, http(server, "POST", "/v1/collections/f/docs",
          "{\"_id\": \"1\", \"a?\": 1}").status());
      lone = http(server, "POST", "/v1/collections/f/docs",
          "{\"_id\": \"2\", \"a\\ud800\": 2}");
      assertEquals(200, lone.status(), lone.body());
      // refused alone, before a restart could merge it into "a?"
      assertEquals(0, lone.json().path("written").asInt(), lone.body());
      assertTrue(lone.json().path("results").get(0).path("error").asText()
          .contains("unpaired UTF-16 surrogate"), lone.body());
    } finally {
      server.stop();
    }
    server = Servers.start(data);
    try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
      Answer f = http(server, "GET", "/v1/collections/f", null);
      assertEquals(200, f.status(), f.body());
      assertEquals(1, f.json().path("documents").asInt(), f.body());
      assertEquals(List.of(List.of("1", 1L)), Sql.rows(c,
          "select \"_id\", \"a?\" from f where \"a?\" is not null"));
    } finally {
      server.stop();
    }
  }

  /** Every accepted name lists, counts and reads back exactly; the test data is untouched. */
  static void checkReadBack(ConvergeServer server) throws Exception {
    Answer list = http(server, "GET", "/v1/collections", null);
    assertEquals(200, list.status(), list.body());
    Set<String> listed = new TreeSet<>();
    for (JsonNode c : list.json().path("collections")) {
      listed.add(c.path("name").asText());
    }
    Set<String> expected = new TreeSet<>(ACCEPTED);
    expected.addAll(DDL_NAMES);
    expected.add(TestData.ORDERS);
    expected.add(TestData.CUSTOMERS);
    assertEquals(expected, listed);
    try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
      for (String name : all()) {
        Answer one = http(server, "GET", "/v1/collections/" + encode(name), null);
        assertEquals(200, one.status(), printable(name) + ": " + one.body());
        assertEquals(name, one.json().path("name").asText(), printable(name));
        assertEquals(2, one.json().path("documents").asLong(), printable(name) + ": "
            + one.body());
        if (name.length() <= SQL_IDENTIFIER_MAX) {
          List<Object> labels = Sql.column(c, "select label from " + Sql.quote(name));
          assertEquals(List.of(name, name), labels, printable(name));
        }
      }
      assertEquals(TestData.ORDER_COUNT,
          ((Number) Sql.scalar(c, "select count(*) from orders")).intValue());
      assertEquals(TestData.CUSTOMER_COUNT,
          ((Number) Sql.scalar(c, "select count(*) from customers")).intValue());
    }
  }

  static List<String> all() {
    List<String> all = new ArrayList<>(ACCEPTED);
    all.addAll(DDL_NAMES);
    return all;
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<String> n = new ArrayList<>(s.map(p -> p.getFileName().toString()).toList());
      n.sort(null);
      return n;
    }
  }

  static String printable(String s) {
    String shown = s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s;
    return "'" + shown.replace("\0", "\\0").replace("\n", "\\n").replace("\t", "\\t") + "'";
  }
}
