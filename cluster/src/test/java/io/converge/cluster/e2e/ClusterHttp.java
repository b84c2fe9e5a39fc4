package io.converge.cluster.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Document writes through an aggregator's HTTP API, for the end-to-end tests. */
final class ClusterHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  /** A status and its JSON body. */
  record Answer(int status, JsonNode body) {
    /** The partitions named by the answer's fence. */
    TreeSet<Integer> fencePartitions() {
      TreeSet<Integer> p = new TreeSet<>();
      JsonNode fence = body.get("fence");
      if (fence != null) {
        fence.fieldNames().forEachRemaining(f -> p.add(Integer.parseInt(f)));
      }
      return p;
    }
  }

  private ClusterHttp() {}

  /** POSTs {@code docs} as NDJSON to {@code collection}; fails unless the answer is 200. */
  static Answer post(String api, String collection, List<Map<String, Object>> docs) {
    StringBuilder body = new StringBuilder();
    try {
      for (Map<String, Object> d : docs) {
        body.append(JSON.writeValueAsString(d)).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Answer a = send(HttpRequest.newBuilder(URI.create(api + "/v1/collections/" + collection
        + "/docs")).header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    if (a.status() != 200) {
      throw new AssertionError("POST " + collection + ": " + a.status() + " " + a.body());
    }
    return a;
  }

  /** DELETEs one document. */
  static Answer delete(String api, String collection, String id) {
    return send(HttpRequest.newBuilder(URI.create(api + "/v1/collections/" + collection
        + "/docs/" + id)).DELETE());
  }

  /** GETs a path under the API (with its query string, already encoded). */
  static Answer get(String api, String pathAndQuery) {
    return send(HttpRequest.newBuilder(URI.create(api + pathAndQuery)).GET());
  }

  /** A query parameter's value, URL-encoded. */
  static String encode(String value) {
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode()
          : JSON.readTree(r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
