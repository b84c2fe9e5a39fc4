package io.converge.cluster.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One client's HTTP writes (upserts and deletes) through the aggregators' API, each request sent
 * to the aggregator the client uses now and, when that one refuses connections, to the next.
 * Every request is classified by what it means for the model: acknowledged (with its fence),
 * certainly not written, or unknown.
 */
final class ChaosWrites {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Longer than an aggregator's wait for Kafka (30 s), so that its 503 comes first. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(45);

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(3)).build();
  private final List<String> apis;
  private int current;

  ChaosWrites(List<String> apis, int first) {
    this.apis = List.copyOf(apis);
    this.current = Math.floorMod(first, apis.size());
  }

  /** What a request came to. */
  enum Outcome {
    /** 200: Kafka acknowledged every record; the fence says where. */
    ACKNOWLEDGED,
    /** 404 of a delete: a tombstone was written all the same, but no fence comes with it. */
    TOMBSTONE_WITHOUT_FENCE,
    /** 503: not acknowledged; retry after a pause (it may still be in the log). */
    UNAVAILABLE,
    /** The aggregator refused the connection: nothing was sent. */
    REFUSED,
    /** Sent, no answer (the aggregator died, a timeout): it may be in the log. */
    UNKNOWN,
    /** Any other answer: not expected of a write the harness makes. */
    ERROR
  }

  /**
   * An answer.
   *
   * @param fence partition -> offset, when acknowledged
   * @param detail the status and body, or the exception, for the report
   */
  record Answer(Outcome outcome, Map<Integer, Long> fence, String detail) {}

  /** POSTs the documents as NDJSON. */
  Answer upsert(String collection, List<Map<String, Object>> docs) {
    StringBuilder body = new StringBuilder();
    try {
      for (Map<String, Object> d : docs) {
        body.append(JSON.writeValueAsString(d)).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return send("/v1/collections/" + collection + "/docs", HttpRequest.BodyPublishers.ofString(
        body.toString()));
  }

  Answer delete(String collection, String id) {
    return send("/v1/collections/" + collection + "/docs/" + URLEncoder.encode(id,
        StandardCharsets.UTF_8), null);
  }

  private Answer send(String path, HttpRequest.BodyPublisher post) {
    String api = apis.get(current);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(
        REQUEST_TIMEOUT);
    HttpRequest request = post == null ? b.DELETE().build()
        : b.header("Content-Type", "application/x-ndjson").POST(post).build();
    HttpResponse<String> r;
    try {
      r = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      current = (current + 1) % apis.size();
      return new Answer(Outcome.REFUSED, Map.of(), api + ": " + e);
    } catch (IOException e) {
      if (e.getCause() instanceof ConnectException) {
        current = (current + 1) % apis.size();
        return new Answer(Outcome.REFUSED, Map.of(), api + ": " + e);
      }
      current = (current + 1) % apis.size();
      return new Answer(Outcome.UNKNOWN, Map.of(), api + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(Outcome.UNKNOWN, Map.of(), "interrupted");
    }
    String detail = r.statusCode() + " " + oneLine(r.body());
    switch (r.statusCode()) {
      case 200:
        return new Answer(Outcome.ACKNOWLEDGED, fence(r.body()), detail);
      case 404:
        return post == null && r.body().contains("a tombstone was written")
            ? new Answer(Outcome.TOMBSTONE_WITHOUT_FENCE, Map.of(), detail)
            : new Answer(Outcome.ERROR, Map.of(), detail);
      case 503:
        return new Answer(Outcome.UNAVAILABLE, Map.of(), detail);
      default:
        return new Answer(Outcome.ERROR, Map.of(), detail);
    }
  }

  private static Map<Integer, Long> fence(String body) {
    Map<Integer, Long> fence = new TreeMap<>();
    try {
      JsonNode f = JSON.readTree(body).path("fence");
      f.properties().forEach(e -> fence.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
    } catch (IOException e) {
      throw new UncheckedIOException("an acknowledged write's answer is not JSON: " + body, e);
    }
    return fence;
  }

  static String oneLine(String s) {
    String t = s == null ? "" : s.replace('\n', ' ');
    return t.length() <= 300 ? t : t.substring(0, 300) + "...";
  }
}
