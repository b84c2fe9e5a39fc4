package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.storage.ConvergeStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzz of the HTTP API against a real server: random and damaged documents (deep nesting,
 * long arrays and field names, invalid UTF-8, truncated bodies, odd field names), wrong methods,
 * unknown paths, bad collection names, wrong content types and charsets, empty and oversized
 * bodies, and raw requests whose Content-Length lies or whose chunked body is broken.
 *
 * <p>Each answer has its documented status (200 with per-document results, 400, 404, 405 with
 * {@code Allow}, 413, 415), never a 5xx, and a JSON {@code error} when it is not 200. The test
 * keeps a model of the documents the answers say were written or deleted; at the end the server
 * still answers, the collection holds exactly those documents, the other collections are
 * untouched, and {@code converge check} finds the directory consistent.
 *
 * <p>CI: {@value #CI_REQUESTS} requests, seed {@value #DEFAULT_SEED}; more with
 * {@code -Dconverge.fuzz.tries=N} or {@code -Dconverge.soak=true} (10x), another seed with
 * {@code -Dconverge.fuzz.seed=S}.
 */
@Tag("slow")
class HttpFuzzTest {
  static final long DEFAULT_SEED = 20261125L;
  static final int CI_REQUESTS = 300;
  static final long SEED = Long.getLong("converge.fuzz.seed", DEFAULT_SEED);
  static final int REQUESTS = Integer.getInteger("converge.fuzz.tries",
      Boolean.getBoolean("converge.soak") ? CI_REQUESTS * 10 : CI_REQUESTS);
  /** A small request limit, so that 413 is cheap to reach. */
  static final long MAX_REQUEST_BYTES = 1L << 20;
  static final String COLLECTION = "fuzz";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  static final String[] NAMES = {"a", "b", "", ".", "a.b", "ü", "日本", "tab\t", "nul\u0000",
      "q\"uote", "UPPER", "upper", "sp ace", "$d"};

  ConvergeServer server;
  /** The documents the answers said are in the collection. */
  final Set<String> model = new HashSet<>();
  final Map<String, Integer> statuses = new LinkedHashMap<>();

  @Test
  void randomRequestsGetTheirDocumentedAnswersAndLoseNothing(@TempDir Path dir) throws Exception {
    System.out.println("HttpFuzzTest: seed " + SEED + ", " + REQUESTS + " requests"
        + " (-Dconverge.fuzz.seed=" + SEED + " -Dconverge.fuzz.tries=N)");
    Path data = dir.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
    }
    server = ConvergeServer.start(ServerOptions.of(data).withHost("127.0.0.1").withPort(0)
        .withMaxRequestBytes(MAX_REQUEST_BYTES));
    Random r = new Random(SEED);
    try {
      for (int i = 0; i < REQUESTS; i++) {
        oneRequest(r, i);
      }
      try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
        assertEquals((long) TestData.ORDER_COUNT, Sql.scalar(c, "select count(*) from orders"));
        assertEquals((long) TestData.CUSTOMER_COUNT,
            Sql.scalar(c, "select count(*) from customers"));
        if (!model.isEmpty()) {
          Set<String> ids = new HashSet<>();
          for (Object id : Sql.column(c, "select \"_id\" from " + COLLECTION)) {
            ids.add((String) id);
          }
          assertEquals(model, ids, "documents of " + COLLECTION);
        }
      }
    } finally {
      server.stop();
    }
    Cli.Result check = Cli.run("check", "--data-dir", data.toString());
    assertEquals(0, check.exit(), check.all());
    System.out.println("HttpFuzzTest: statuses " + statuses + ", " + model.size()
        + " documents in the model, all found; check consistent");
    assertTrue(statuses.containsKey("200") && statuses.containsKey("400")
        && statuses.containsKey("405") && statuses.containsKey("415"), statuses.toString());
  }

  void oneRequest(Random r, int n) throws Exception {
    String docs = server.apiUrl() + "/collections/" + COLLECTION + "/docs";
    int kind = r.nextInt(14);
    switch (kind) {
      case 0, 1, 2, 3 -> { // documents, some rejected alone
        boolean array = r.nextBoolean();
        byte[] body = documents(r, n, array);
        Answer a = post(docs, array ? "application/json" : "application/x-ndjson", body);
        expect(a, n, 200);
        record(a);
      }
      case 4 -> { // a damaged body: 400 as a whole, or 200 when the damage left valid JSON
        byte[] body = damage(r, documents(r, n, r.nextBoolean()));
        Answer a = post(docs, null, body);
        expect(a, n, 200, 400);
        if (a.status == 200) {
          record(a);
        }
      }
      case 5 -> { // wrong content type or charset
        String type = switch (r.nextInt(4)) {
          case 0 -> "text/plain";
          case 1 -> "application/xml";
          case 2 -> "application/json; charset=latin1";
          default -> "multipart/form-data; boundary=x";
        };
        expect(post(docs, type, "{\"_id\":\"never\"}".getBytes(StandardCharsets.UTF_8)), n, 415);
      }
      case 6 -> { // wrong method
        String[] methods = {"PUT", "PATCH", "GET", "OPTIONS", "TRACE"};
        String m = methods[r.nextInt(methods.length)];
        Answer a = send(HttpRequest.newBuilder(URI.create(docs))
            .method(m, HttpRequest.BodyPublishers.ofString("{}")));
        expect(a, n, 405);
        assertEquals("POST", a.allow, "Allow of request " + n);
        Answer b = send(HttpRequest.newBuilder(URI.create(server.apiUrl() + "/collections"))
            .method(r.nextBoolean() ? "POST" : "DELETE", HttpRequest.BodyPublishers.noBody()));
        expect(b, n, 405);
      }
      case 7 -> { // unknown resources
        String[] paths = {"/nope", "/collections/" + COLLECTION + "/things",
            "/collections/" + COLLECTION + "/docs/a/b", "", "/collections/x/docs/y/z/w"};
        expect(send(HttpRequest.newBuilder(URI.create(server.apiUrl()
            + paths[r.nextInt(paths.length)])).GET()), n, 404, 405);
      }
      case 8 -> { // bad collection names
        String[] names = {"%00", "a%1Fb", "x".repeat(256), "%C3%28", "%C0%80"};
        // Jetty refuses some (%00) itself, with its own 400 page (not JSON).
        HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(URI.create(server.apiUrl()
                + "/collections/" + names[r.nextInt(names.length)] + "/docs"))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        count(String.valueOf(bad.statusCode()));
        assertEquals(400, bad.statusCode(), "request " + n + ": " + bad.body());
      }
      case 9 -> { // empty or blank body: nothing to write
        String blank = r.nextBoolean() ? "" : " \n\n ";
        Answer a = post(docs, null, blank.getBytes(StandardCharsets.UTF_8));
        expect(a, n, 200);
        assertEquals(0, a.body.path("written").asInt(), a.body.toString());
      }
      case 10 -> { // over the request limit
        byte[] big = new byte[(int) MAX_REQUEST_BYTES + 1 + r.nextInt(1000)];
        java.util.Arrays.fill(big, (byte) ' ');
        expect(post(docs, null, big), n, 413);
      }
      case 11 -> { // deletes, of known and unknown ids
        String id = !model.isEmpty() && r.nextBoolean()
            ? new ArrayList<>(model).get(r.nextInt(model.size())) : "absent-" + r.nextInt(1000);
        Answer a = send(HttpRequest.newBuilder(URI.create(docs + "/"
            + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"))).DELETE());
        expect(a, n, model.contains(id) ? 200 : 404);
        model.remove(id);
      }
      default -> rawRequest(r, n);
    }
  }

  /** Raw HTTP/1.1 whose framing is wrong; the server answers or closes, and stays up. */
  void rawRequest(Random r, int n) throws IOException {
    String body = "{\"_id\":\"raw-" + n + "\",\"v\":1}\n";
    String head = "POST /v1/collections/" + COLLECTION + "/docs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/x-ndjson\r\nConnection: close\r\n";
    String request = switch (r.nextInt(4)) {
      case 0 -> head + "Content-Length: " + (body.length() + 50) + "\r\n\r\n" + body; // short
      case 1 -> head + "Content-Length: " + (body.length() - 5) + "\r\n\r\n" + body; // long
      case 2 -> head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n";
      default -> head + "Content-Length: -7\r\n\r\n" + body;
    };
    String answer;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
      s.setSoTimeout(2_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      s.shutdownOutput(); // the rest of a "short" body never comes
      answer = readAll(s.getInputStream());
    }
    count(answer.isEmpty() ? "closed" : answer.substring(9, Math.min(12, answer.length())));
    if (answer.startsWith("HTTP/1.1 5")) {
      throw new AssertionError("request " + n + " got a 5xx: " + answer);
    }
    // A "long" body cut at Content-Length may still be a readable document ending early; only a
    // 200 can have written something, and its results say what.
    if (answer.startsWith("HTTP/1.1 200")) {
      JsonNode a = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      for (JsonNode res : a.path("results")) {
        if (res.path("status").asText().equals("ok")) {
          model.add(res.path("_id").asText());
        }
      }
    }
  }

  static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int k;
      while ((k = in.read(buf)) > 0) {
        b.write(buf, 0, k);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // no more answer
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  /** Documents with odd field names, some beyond the default limits (rejected alone). */
  byte[] documents(Random r, int n, boolean array) throws IOException {
    List<String> parts = new ArrayList<>();
    for (int i = 1 + r.nextInt(5); i > 0; i--) {
      String id = "d" + n + "-" + i;
      switch (r.nextInt(8)) {
        case 0 -> parts.add("{\"_id\":\"" + id + "\",\"deep\":" + "[".repeat(70) + "]".repeat(70)
            + "}");
        case 1 -> parts.add("{\"_id\":\"" + id + "\",\"" + "k".repeat(1025) + "\":1}");
        case 2 -> parts.add("{\"_id\":\"" + id + "\",\"n\":1e999}");
        case 3 -> parts.add("{\"_id\":" + (r.nextBoolean() ? "true" : "{}") + "}");
        case 4 -> parts.add("42");
        default -> {
          Map<String, Object> d = new LinkedHashMap<>();
          if (r.nextInt(5) > 0) {
            d.put("_id", r.nextInt(10) == 0 && !model.isEmpty()
                ? new ArrayList<>(model).get(r.nextInt(model.size())) : id); // some upserts
          }
          for (int f = r.nextInt(5); f > 0; f--) {
            d.put(NAMES[r.nextInt(NAMES.length)], switch (r.nextInt(5)) {
              case 0 -> r.nextLong();
              case 1 -> r.nextDouble();
              case 2 -> "s" + r.nextInt(100) + "\u00e9\u65e5";
              case 3 -> List.of(r.nextInt(3), "x");
              default -> Map.of("in", r.nextBoolean());
            });
          }
          parts.add(JSON.writeValueAsString(d));
        }
      }
    }
    String text = array ? "[" + String.join(",\n", parts) + "]" : String.join("\n", parts) + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] damage(Random r, byte[] body) {
    byte[] b = body.clone();
    switch (r.nextInt(3)) {
      case 0 -> {
        return java.util.Arrays.copyOf(b, r.nextInt(b.length));
      }
      case 1 -> b[r.nextInt(b.length)] = (byte) (0x80 + r.nextInt(0x80)); // invalid UTF-8 mostly
      default -> b[r.nextInt(b.length)] = (byte) "{}[],:\"x".charAt(r.nextInt(8));
    }
    return b;
  }

  record Answer(int status, String allow, JsonNode body) {}

  Answer post(String url, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b);
  }

  Answer send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    JsonNode body;
    try {
      body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    } catch (IOException notJson) {
      throw new AssertionError("not a JSON answer (" + r.statusCode() + "): " + r.body());
    }
    return new Answer(r.statusCode(), r.headers().firstValue("Allow").orElse(null), body);
  }

  void expect(Answer a, int n, int... allowed) {
    count(String.valueOf(a.status));
    for (int s : allowed) {
      if (a.status == s) {
        if (s != 200) {
          assertFalse(a.body.path("error").asText().isBlank(),
              "request " + n + " (seed " + SEED + "): no error message: " + a.body);
          assertEquals(s, a.body.path("status").asInt(), a.body.toString());
        }
        return;
      }
    }
    throw new AssertionError("request " + n + " (seed " + SEED + "): status " + a.status
        + ", expected one of " + java.util.Arrays.toString(allowed) + ": " + a.body);
  }

  void record(Answer a) {
    for (JsonNode res : a.body.path("results")) {
      if (res.path("status").asText().equals("ok")) {
        model.add(res.path("_id").asText());
      } else {
        assertFalse(res.path("error").asText().isBlank(), a.body.toString());
      }
    }
  }

  void count(String status) {
    statuses.merge(status, 1, Integer::sum);
  }

  static {
    try {
      Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
