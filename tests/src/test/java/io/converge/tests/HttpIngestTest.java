package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP write API against a real server: documents posted over HTTP are read back through the
 * Avatica remote driver as soon as the response arrives; bad input gets its status and message
 * and leaves the collection untouched.
 */
class HttpIngestTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  static final String NDJSON = "application/x-ndjson";
  static final String JSON_TYPE = "application/json";

  /** An HTTP answer: status, Allow header and the body parsed as JSON. */
  record Answer(int status, String allow, JsonNode body) {
    String error() {
      return body.path("error").asText();
    }
  }

  static String api() {
    return SERVER.server().apiUrl();
  }

  static Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Answer(r.statusCode(), r.headers().firstValue("Allow").orElse(null),
        JSON.readTree(r.body()));
  }

  static Answer post(String collection, String contentType, String body) throws Exception {
    return post(collection, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  static Answer post(String collection, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api() + "/collections/"
        + collection + "/docs")).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b);
  }

  static Answer get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(api() + path)).GET());
  }

  static Answer delete(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(api() + path)).DELETE());
  }

  static long count(String collection) throws SQLException {
    try (Connection c = SERVER.connect()) {
      return ((Number) Sql.scalar(c, "select count(*) from " + collection)).longValue();
    }
  }

  static List<List<Object>> rows(String sql) throws SQLException {
    try (Connection c = SERVER.connect()) {
      return Sql.rows(c, sql);
    }
  }

  static List<String> statuses(Answer a) {
    List<String> s = new ArrayList<>();
    a.body().path("results").forEach(r -> s.add(r.path("status").asText()));
    return s;
  }

  @Test
  void ndjsonIsQueryableThroughJdbcAsSoonAsTheResponseArrives() throws Exception {
    Answer a = post("h_basic", NDJSON, """
        {"_id": "b1", "amount": 10.5, "city": "Oslo"}
        {"_id": "b2", "amount": 20, "city": "Lima"}

        {"_id": 3, "amount": 7, "city": "Oslo"}
        """);
    assertEquals(200, a.status(), a.body().toString());
    assertEquals(3, a.body().path("written").asInt());
    assertEquals(3, a.body().path("inserted").asInt());
    assertEquals(0, a.body().path("errors").asInt());
    assertEquals("h_basic", a.body().path("collection").asText());
    assertEquals(List.of("b1", "b2", "3"),
        List.of(a.body().at("/results/0/_id").asText(), a.body().at("/results/1/_id").asText(),
            a.body().at("/results/2/_id").asText()));
    assertEquals(List.of("ok", "ok", "ok"), statuses(a));
    assertEquals(List.of(Sql.row("3", 7.0, "Oslo"), Sql.row("b1", 10.5, "Oslo"),
            Sql.row("b2", 20.0, "Lima")),
        rows("select \"_id\", amount, city from h_basic order by \"_id\""));
  }

  @Test
  void jsonArrayWithOrWithoutContentTypeAndGeneratedIds() throws Exception {
    Answer a = post("h_array", JSON_TYPE, "[{\"_id\": \"a1\", \"n\": 1}, {\"n\": 2}]");
    assertEquals(200, a.status(), a.body().toString());
    assertEquals(2, a.body().path("written").asInt());
    String generated = a.body().at("/results/1/_id").asText();
    assertEquals(36, generated.length(), "a UUID for the document without _id: " + generated);
    // No Content-Type: the first non-blank byte decides, here NDJSON.
    Answer b = post("h_array", null, "{\"_id\": \"a3\", \"n\": 3}\n");
    assertEquals(200, b.status(), b.body().toString());
    // An array under the NDJSON type is still an array.
    Answer c = post("h_array", NDJSON, "\n  [{\"_id\": \"a4\", \"n\": 4}]");
    assertEquals(200, c.status(), c.body().toString());
    assertEquals(List.of(Sql.row(generated, 2L)),
        rows("select \"_id\", n from h_array where n = 2"));
    assertEquals(4L, count("h_array"));
  }

  @Test
  void writingAnExistingIdReplacesTheDocument() throws Exception {
    assertEquals(200, post("h_upsert", NDJSON, "{\"_id\": \"u\", \"v\": 1, \"old\": true}").status());
    Answer a = post("h_upsert", NDJSON, "{\"_id\": \"u\", \"v\": 2}\n{\"_id\": \"w\", \"v\": 9}");
    assertEquals(200, a.status());
    assertEquals(1, a.body().path("replaced").asInt());
    assertEquals(1, a.body().path("inserted").asInt());
    assertEquals(List.of(Sql.row("u", 2L), Sql.row("w", 9L)),
        rows("select \"_id\", v from h_upsert order by \"_id\""));
    // The replaced version's field left with it.
    for (JsonNode f : get("/collections/h_upsert").body().path("fields")) {
      assertFalse(f.path("path").asText().equals("old"), f.toString());
    }
    // The same _id twice in one request: the later one wins.
    Answer b = post("h_upsert", JSON_TYPE, "[{\"_id\": \"w\", \"v\": 10}, {\"_id\": \"w\", \"v\": 11}]");
    assertEquals(200, b.status());
    assertEquals(List.of(Sql.row("w", 11L)),
        rows("select \"_id\", v from h_upsert where \"_id\" = 'w'"));
    assertEquals(2L, count("h_upsert"));
  }

  @Test
  void deleteById() throws Exception {
    assertEquals(200, post("h_delete", NDJSON,
        "{\"_id\": \"d1\"}\n{\"_id\": \"d/2\"}\n{\"_id\": 3}\n").status());
    Answer a = delete("/collections/h_delete/docs/d1");
    assertEquals(200, a.status(), a.body().toString());
    assertTrue(a.body().path("deleted").asBoolean());
    assertEquals("d1", a.body().path("_id").asText());
    assertEquals(200, delete("/collections/h_delete/docs/d%2F2").status(), "encoded slash");
    assertEquals(200, delete("/collections/h_delete/docs/3").status(), "integer _id as text");
    assertEquals(0L, count("h_delete"));
    Answer again = delete("/collections/h_delete/docs/d1");
    assertEquals(404, again.status());
    assertEquals("no document with _id 'd1' in collection 'h_delete'", again.error());
    Answer noCollection = delete("/collections/h_nothing_here/docs/d1");
    assertEquals(404, noCollection.status());
    assertEquals("no collection 'h_nothing_here'", noCollection.error());
  }

  @Test
  void rejectedDocumentsAreReportedAndTheOthersWritten() throws Exception {
    Answer a = post("h_partial", NDJSON, """
        {"_id": "p1", "x": 1}
        [1, 2]
        {"_id": {"nested": 1}, "x": 2}
        {"_id": true}
        {"_id": 2.5}
        {"_id": "p2", "_event_time": "yesterday"}
        "just a string"
        {"_id": "p3", "x": 3}
        """);
    assertEquals(200, a.status(), a.body().toString());
    assertEquals(2, a.body().path("written").asInt());
    assertEquals(6, a.body().path("errors").asInt());
    assertEquals(List.of("ok", "error", "error", "error", "error", "error", "error", "ok"),
        statuses(a));
    JsonNode r = a.body().path("results");
    assertEquals("document is not a JSON object (found an array)", r.at("/1/error").asText());
    assertEquals(2, r.at("/1/line").asInt());
    assertEquals("_id must be a string or an integer, not an object", r.at("/2/error").asText());
    assertEquals(3, r.at("/2/line").asInt());
    assertTrue(r.at("/2/_id").isMissingNode());
    assertEquals("_id must be a string or an integer, not a boolean", r.at("/3/error").asText());
    assertEquals("_id must be a string or an integer, not a fractional number",
        r.at("/4/error").asText());
    assertEquals("p2", r.at("/5/_id").asText());
    assertTrue(r.at("/5/error").asText().startsWith("_event_time 'yesterday' is not an ISO-8601"),
        r.at("/5/error").asText());
    assertEquals(7, r.at("/6/line").asInt());
    assertEquals(List.of("p1", "p3"), Sql.column(SERVER.connect(),
        "select \"_id\" from h_partial order by \"_id\""));

    // The same in a JSON array: positions are element numbers.
    Answer b = post("h_partial", JSON_TYPE, "[{\"_id\": \"p4\"}, 5, {\"_id\": false}]");
    assertEquals(200, b.status());
    assertEquals(List.of("ok", "error", "error"), statuses(b));
    assertEquals(2, b.body().at("/results/1/element").asInt());
    assertEquals("element 2 is not a JSON object (found a number)",
        b.body().at("/results/1/error").asText());
    assertEquals(3L, count("h_partial"));
  }

  @Test
  void malformedJsonArrayIsRefusedWithItsPositionAndNothingIsWritten() throws Exception {
    String body = "[{\"_id\": \"m1\"},\n {\"_id\": \"m2\", \"v\": tru}]";
    Answer a = post("h_malformed", JSON_TYPE, body);
    assertEquals(400, a.status(), a.body().toString());
    assertEquals(2, a.body().path("line").asInt());
    assertEquals(body.indexOf("tru"), a.body().path("byte").asInt());
    assertEquals(body.indexOf("tru") - body.indexOf('\n'), a.body().path("column").asInt());
    assertTrue(a.error().startsWith("malformed JSON: Unrecognized token 'tru'"), a.error());
    assertTrue(a.error().endsWith("at line 2, column 21 (byte 36)"), a.error());
    assertEquals(400, a.body().path("status").asInt());
    assertEquals(404, get("/collections/h_malformed").status(), "not even created");

    Answer unclosed = post("h_malformed", JSON_TYPE, "[{\"_id\": \"m1\"}");
    assertEquals(400, unclosed.status());
    assertEquals("malformed JSON: Unexpected end-of-input: expected close marker for Array at"
        + " line 1, column 15 (byte 14)", unclosed.error());

    Answer trailing = post("h_malformed", JSON_TYPE, "[{\"_id\": \"m1\"}] {}");
    assertEquals(400, trailing.status());
    assertEquals(16, trailing.body().path("byte").asInt());
    assertEquals(404, get("/collections/h_malformed").status());
  }

  @Test
  void malformedNdjsonLineRefusesTheWholeRequest() throws Exception {
    assertEquals(200, post("h_badline", NDJSON, "{\"_id\": \"keep\"}").status());
    String body = "{\"_id\": \"n1\"}\n{\"_id\": \"n2\",}\n{\"_id\": \"n3\"}\n";
    Answer a = post("h_badline", NDJSON, body);
    assertEquals(400, a.status(), a.body().toString());
    assertEquals(2, a.body().path("line").asInt());
    assertEquals(body.indexOf(",}") + 1, a.body().path("byte").asInt());
    assertTrue(a.error().contains("was expecting double-quote to start field name"), a.error());
    // Unreadable even though the line starts like a non-object: an unclosed array.
    Answer b = post("h_badline", NDJSON, "{\"_id\": \"n4\"}\n[1, 2\n");
    assertEquals(400, b.status(), b.body().toString());
    assertEquals(2, b.body().path("line").asInt());
    Answer dup = post("h_badline", NDJSON, "{\"_id\": \"n5\", \"a\": 1, \"a\": 2}");
    assertEquals(400, dup.status());
    assertEquals("malformed JSON: Duplicate field 'a' at line 1, column 26 (byte 25)", dup.error());
    // Readable, but beyond the double range: that document alone is rejected.
    Answer huge = post("h_badline", NDJSON, "{\"_id\": \"n6\", \"a\": 1e999}\n{\"_id\": \"n7\"}");
    assertEquals(200, huge.status(), huge.body().toString());
    assertEquals("number 1e999 is beyond the double range at a",
        huge.body().path("results").get(0).path("error").asText());
    assertEquals(List.of("keep", "n7"),
        Sql.column(SERVER.connect(), "select \"_id\" from h_badline order by \"_id\""));
  }

  @Test
  void invalidUtf8IsRefusedWithTheBytePosition() throws Exception {
    byte[] prefix = "{\"_id\": \"u1\"}\n{\"_id\": \"u2\", \"s\": \"".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[prefix.length + 3];
    System.arraycopy(prefix, 0, body, 0, prefix.length);
    body[prefix.length] = (byte) 0xff;
    body[prefix.length + 1] = '"';
    body[prefix.length + 2] = '}';
    Answer a = post("h_utf8", NDJSON, body);
    assertEquals(400, a.status(), a.body().toString());
    assertEquals(prefix.length, a.body().path("byte").asInt());
    assertEquals(2, a.body().path("line").asInt());
    assertTrue(a.error().startsWith("malformed JSON: invalid UTF-8"), a.error());
    assertEquals(404, get("/collections/h_utf8").status());
  }

  @Test
  void bodyOverTheLimitGets413() throws Exception {
    Path dir = Files.createTempDirectory("converge-http-limit-");
    ConvergeServer small = ConvergeServer.start(ServerOptions.of(dir).withPort(0)
        .withMaxRequestBytes(1000));
    try {
      String ok = "{\"_id\": \"s1\", \"pad\": \"" + "x".repeat(900) + "\"}";
      String tooBig = "{\"_id\": \"s2\", \"pad\": \"" + "x".repeat(1000) + "\"}";
      URI docs = URI.create(small.apiUrl() + "/collections/limits/docs");
      Answer a = send(HttpRequest.newBuilder(docs).header("Content-Type", NDJSON)
          .POST(HttpRequest.BodyPublishers.ofString(ok)));
      assertEquals(200, a.status(), a.body().toString());
      Answer b = send(HttpRequest.newBuilder(docs).header("Content-Type", NDJSON)
          .POST(HttpRequest.BodyPublishers.ofString(tooBig)));
      assertEquals(413, b.status());
      assertEquals("request body is " + tooBig.length() + " bytes; the limit is 1000 bytes: send"
          + " the documents in several requests", b.error());
      // Without a Content-Length (chunked), the limit is enforced while reading.
      byte[] bytes = tooBig.getBytes(StandardCharsets.UTF_8);
      Answer c = send(HttpRequest.newBuilder(docs).header("Content-Type", NDJSON)
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
      assertEquals(413, c.status());
      assertEquals("request body is more than 1000 bytes; the limit is 1000 bytes: send the"
          + " documents in several requests", c.error());
      assertEquals(1, small.store().collection("limits").documentCount());
    } finally {
      small.stop();
      ConvergeServerExtension.deleteRecursively(dir);
    }
  }

  @Test
  void unknownPathsWrongMethodsBadNamesAndMediaTypes() throws Exception {
    Answer unknown = get("/nothing");
    assertEquals(404, unknown.status());
    assertTrue(unknown.error().startsWith("no such resource: /v1/nothing"), unknown.error());
    assertEquals(404, get("/collections/orders/rows").status());
    assertEquals(404, get("/collections/orders/docs/x/y").status());

    Answer getDocs = get("/collections/orders/docs");
    assertEquals(405, getDocs.status());
    assertEquals("POST", getDocs.allow());
    assertEquals("method GET is not allowed here; allowed: POST", getDocs.error());
    Answer postList = send(HttpRequest.newBuilder(URI.create(api() + "/collections"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(405, postList.status());
    assertEquals("GET", postList.allow());
    Answer getDoc = get("/collections/orders/docs/o1");
    assertEquals(405, getDoc.status());
    assertEquals("DELETE", getDoc.allow());

    Answer control = post("bad%01name", NDJSON, "{}");
    assertEquals(400, control.status());
    assertEquals("bad collection name: collection name contains a control character",
        control.error());
    Answer tooLong = get("/collections/" + "n".repeat(256));
    assertEquals(400, tooLong.status());
    assertEquals("bad collection name: collection name is longer than 255 characters",
        tooLong.error());
    assertEquals(400, get("/collections/bad%C3name").status(), "not UTF-8 once decoded");

    Answer xml = post("h_types", "application/xml", "<doc/>");
    assertEquals(415, xml.status());
    assertTrue(xml.error().startsWith("Content-Type 'application/xml' is not accepted"));
    Answer latin1 = post("h_types", "application/json; charset=ISO-8859-1", "[]");
    assertEquals(415, latin1.status());
    assertEquals(200, post("h_types", "application/json; charset=UTF-8", "[]").status());
    assertEquals(404, get("/collections/h_types").status(), "no documents, no collection");
  }

  @Test
  void collectionsAndTheirFieldsOverGet() throws Exception {
    assertEquals(200, post("h_schema", NDJSON, """
        {"_id": "f1", "n": 1, "mixed": 5, "tags": ["a", "b"], "user": {"country": "DE"}}
        {"_id": "f2", "n": 2, "mixed": "10%", "tags": ["c"]}
        {"_id": "f3", "n": 3.5}
        """).status());
    Answer list = get("/collections");
    assertEquals(200, list.status());
    Set<String> names = new HashSet<>();
    for (JsonNode c : list.body().path("collections")) {
      names.add(c.path("name").asText());
      if (c.path("name").asText().equals("h_schema")) {
        assertEquals(3, c.path("documents").asInt());
      }
      if (c.path("name").asText().equals(TestData.ORDERS)) {
        assertEquals(TestData.ORDER_COUNT, c.path("documents").asInt());
      }
    }
    assertTrue(names.containsAll(Set.of("h_schema", TestData.ORDERS, TestData.CUSTOMERS)), names.toString());

    Answer one = get("/collections/h_schema");
    assertEquals(200, one.status(), one.body().toString());
    assertEquals("h_schema", one.body().path("name").asText());
    assertEquals(3, one.body().path("documents").asInt());
    JsonNode n = field(one, "n");
    assertEquals("DOUBLE", n.path("sqlType").asText());
    assertEquals(3, n.path("documents").asInt());
    assertEquals(JSON.readTree("{\"int\": 2, \"double\": 1}"), n.path("types"));
    JsonNode mixed = field(one, "mixed");
    assertEquals("VARCHAR", mixed.path("sqlType").asText());
    assertEquals(JSON.readTree("{\"int\": 1, \"string\": 1}"), mixed.path("types"));
    JsonNode tags = field(one, "tags");
    assertEquals("VARCHAR ARRAY", tags.path("sqlType").asText());
    assertEquals(JSON.readTree("{\"string\": 3}"), tags.path("elementTypes"));
    assertEquals("VARCHAR", field(one, "user.country").path("sqlType").asText());
    JsonNode user = field(one, "user");
    assertTrue(user.path("sqlType").isMissingNode());
    assertEquals(JSON.readTree("{\"object\": 1}"), user.path("types"));

    assertEquals(200, delete("/collections/h_schema/docs/f3").status());
    JsonNode after = field(get("/collections/h_schema"), "n");
    assertEquals("BIGINT", after.path("sqlType").asText(), "the double went with f3");

    Answer missing = get("/collections/h_missing");
    assertEquals(404, missing.status());
    assertEquals("no collection 'h_missing'", missing.error());
  }

  static JsonNode field(Answer a, String path) {
    for (JsonNode f : a.body().path("fields")) {
      if (f.path("path").asText().equals(path)) {
        return f;
      }
    }
    throw new AssertionError("no field " + path + " in " + a.body());
  }

  @Test
  void concurrentWritersLoseNothing() throws Exception {
    int writers = 4;
    int requests = 25;
    int perRequest = 40;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CyclicBarrier start = new CyclicBarrier(writers);
      List<Future<Integer>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        Callable<Integer> task = () -> {
          start.await(60, TimeUnit.SECONDS);
          int written = 0;
          for (int r = 0; r < requests; r++) {
            StringBuilder body = new StringBuilder();
            for (int d = 0; d < perRequest; d++) {
              body.append("{\"_id\": \"w").append(writer).append('-').append(r).append('-')
                  .append(d).append("\", \"writer\": ").append(writer).append("}\n");
            }
            // Every writer also upserts the same shared ids: they must not be counted twice.
            body.append("{\"_id\": \"shared-").append(r).append("\", \"writer\": ")
                .append(writer).append("}\n");
            Answer a = post("h_concurrent", NDJSON, body.toString());
            assertEquals(200, a.status(), a.body().toString());
            written += a.body().path("written").asInt();
          }
          return written;
        };
        futures.add(pool.submit(task));
      }
      int total = 0;
      for (Future<Integer> f : futures) {
        total += f.get(300, TimeUnit.SECONDS);
      }
      assertEquals(writers * requests * (perRequest + 1), total);
    } finally {
      pool.shutdownNow();
    }
    long expected = (long) writers * requests * perRequest + requests;
    assertEquals(expected, count("h_concurrent"));
    assertEquals(expected, get("/collections/h_concurrent").body().path("documents").asLong());
    assertEquals((long) requests * perRequest, ((Number) Sql.scalar(SERVER.connect(),
        "select count(*) from h_concurrent where writer = 2 and \"_id\" like 'w2-%'")).longValue());
  }

  @Test
  void lastAcknowledgedIdIsVisibleToAPreparedLookup() throws Exception {
    try (Connection c = SERVER.connect()) {
      assertEquals(200, post("h_visible", NDJSON, "{\"_id\": \"v0\", \"seq\": 0}").status());
      try (PreparedStatement ps = c.prepareStatement(
          "select \"_id\", seq from h_visible where \"_id\" = ?")) {
        for (int i = 1; i <= 20; i++) {
          Answer a = post("h_visible", NDJSON, "{\"_id\": \"v" + i + "\", \"seq\": " + i + "}");
          assertEquals(200, a.status());
          ps.setString(1, "v" + i);
          try (ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next(), "v" + i + " visible right after its response");
            assertEquals(i, rs.getLong(2));
            assertFalse(rs.next());
          }
        }
      }
    }
  }
}
