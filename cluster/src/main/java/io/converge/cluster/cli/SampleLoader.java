package io.converge.cluster.cli;

import io.converge.examples.SampleData;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Loads generated documents through a server's or aggregator's HTTP write API
 * ({@code POST /v1/collections/{name}/docs}, NDJSON), a batch per request: in a cluster that is
 * the write path (the aggregator produces them to Kafka and answers once Kafka acknowledged them).
 */
final class SampleLoader {
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;

  SampleLoader(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** Posts {@code docs} to {@code collection} in batches; returns how many were accepted. */
  long load(String collection, Iterator<Map<String, Object>> docs, int batchSize)
      throws IOException, InterruptedException {
    URI uri = URI.create(baseUrl + "/v1/collections/"
        + URLEncoder.encode(collection, StandardCharsets.UTF_8).replace("+", "%20") + "/docs");
    long n = 0;
    while (docs.hasNext()) {
      List<Map<String, Object>> batch = new ArrayList<>(batchSize);
      while (docs.hasNext() && batch.size() < batchSize) {
        batch.add(docs.next());
      }
      StringWriter body = new StringWriter();
      SampleData.writeNdjson(body, batch.iterator());
      HttpRequest post = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
          .header("Content-Type", "application/x-ndjson")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
          .build();
      HttpResponse<String> answer = http.send(post, HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() / 100 != 2) {
        throw new IllegalStateException("POST " + uri + " answered " + answer.statusCode() + ": "
            + abbreviate(answer.body()));
      }
      n += batch.size();
    }
    return n;
  }

  private static String abbreviate(String s) {
    return s.length() <= 500 ? s : s.substring(0, 500) + " ...";
  }
}
