package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.storage.json.DocumentLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The document limits of the HTTP write API: set through {@link ServerOptions} or the
 * {@code server} options, each rejects the one document beyond it with its reason while the
 * other documents of the request are written.
 */
class DocumentLimitsHttpTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  static JsonNode post(String apiUrl, String contentType, String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(apiUrl
            + "/collections/limited/docs")).header("Content-Type", contentType)
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  static List<String> errors(JsonNode answer) {
    List<String> out = new ArrayList<>();
    for (JsonNode res : answer.path("results")) {
      out.add(res.path("status").asText().equals("ok") ? "ok" : res.path("error").asText());
    }
    return out;
  }

  static final List<String> DOCUMENTS = List.of(
      "{\"_id\":\"ok1\",\"a\":{\"b\":[1]}}",
      "{\"_id\":\"deep\",\"a\":{\"b\":[[1]]}}",
      "{\"_id\":\"long\",\"t\":[1,2,3,4,5,6]}",
      "{\"_id\":\"name\",\"abcdefghijk\":1}",
      "{\"_id\":\"big\",\"s\":\"" + "x".repeat(3_000) + "\"}",
      "{\"_id\":\"ok2\",\"abcdefghij\":[1,2,3,4,5]}");

  static final List<String> REASONS = List.of(
      "ok",
      "document exceeds nesting depth 3 at a.b[0]",
      "array at t has more than 5 elements (the limit)",
      "field name of 11 characters exceeds the limit of 10 at abcdefghijk",
      "document big is 3030 bytes encoded, over the document size limit of 2000 bytes",
      "ok");

  @Test
  void eachLimitRejectsItsDocumentAloneInNdjsonAndInAJsonArray(@TempDir Path dir)
      throws Exception {
    ConvergeServer server = ConvergeServer.start(ServerOptions.of(dir.resolve("data"))
        .withPort(0).withDocumentLimits(new DocumentLimits(2_000, 3, 5, 10)));
    try {
      JsonNode ndjson = post(server.apiUrl(), "application/x-ndjson",
          String.join("\n", DOCUMENTS));
      List<String> got = errors(ndjson);
      assertEquals(REASONS.subList(0, 4), got.subList(0, 4), ndjson.toString());
      assertTrue(got.get(4).startsWith("document big is ")
          && got.get(4).endsWith("over the document size limit of 2000 bytes"), got.get(4));
      assertEquals("ok", got.get(5));
      assertEquals(2, ndjson.path("written").asInt());
      JsonNode array = post(server.apiUrl(), "application/json",
          "[" + String.join(",", DOCUMENTS) + "]");
      assertEquals(got, errors(array), array.toString());
      assertEquals(3, array.path("results").get(2).path("element").asInt());
      try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
        assertEquals(List.of("ok1", "ok2"),
            Sql.column(c, "select \"_id\" from limited order by \"_id\""));
      }
    } finally {
      server.stop();
    }
  }

  @Test
  void theServerCommandsOptionsSetTheLimits(@TempDir Path dir) throws Exception {
    try (ServerProcess server = ServerProcess.start(dir.resolve("server.log"), dir.resolve("data"),
        List.of("--max-nesting-depth", "2", "--max-array-length", "3"))) {
      JsonNode answer = post(server.apiUrl(), "application/x-ndjson",
          "{\"_id\":\"a\",\"x\":[1,2,3]}\n{\"_id\":\"b\",\"x\":[[1]]}\n{\"_id\":\"c\",\"x\":[1,2,3,4]}");
      assertEquals(List.of("ok", "document exceeds nesting depth 2 at x[0]",
          "array at x has more than 3 elements (the limit)"), errors(answer));
    }
  }

  @Test
  void limitsOutOfRangeStopTheServerCommandWithAClearMessage(@TempDir Path dir) {
    List<String> base = new ArrayList<>(List.of("server", "--data-dir",
        dir.resolve("data").toString(), "--port", "0"));
    base.addAll(ServerProcess.noAuthArguments());
    List<String> depth = new ArrayList<>(base);
    depth.addAll(List.of("--max-nesting-depth", "1001"));
    Cli.Result r = Cli.run(depth.toArray(String[]::new));
    assertEquals(2, r.exit(), r.all());
    assertTrue(r.err().contains("the nesting depth limit must be between 1 and 1000, got 1001"),
        r.all());
    List<String> size = new ArrayList<>(base);
    size.addAll(List.of("--max-document-size", "2g"));
    Cli.Result s = Cli.run(size.toArray(String[]::new));
    assertEquals(2, s.exit(), s.all());
    assertTrue(s.err().contains("--max-document-size must be between 1 byte and 1g, got 2g"),
        s.all());
    Cli.Result help = Cli.run("server", "--help");
    for (String option : List.of("--max-document-size", "--max-nesting-depth",
        "--max-array-length", "--max-field-name-length")) {
      assertTrue(help.out().contains(option), option + " in " + help.out());
    }
  }

  static {
    try {
      Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
