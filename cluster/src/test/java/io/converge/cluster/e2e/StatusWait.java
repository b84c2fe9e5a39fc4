package io.converge.cluster.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Waits on an aggregator's {@code GET /v1/cluster} until a collection is served in full by
 * {@code leaves} live leaves, each serving shard applied to the end of its partition, and the
 * assignment unchanged for 2 s: then the leaves hold everything Kafka acknowledged so far.
 */
final class StatusWait {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private StatusWait() {}

  @SuppressWarnings("unchecked")
  static void awaitCaughtUp(String api, String collection, int leaves, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    String previous = null;
    int stable = 0;
    while (System.nanoTime() < deadline) {
      Map<String, Object> status;
      try {
        status = status(api);
      } catch (IOException e) {
        last = e.toString();
        stable = 0;
        Thread.sleep(200);
        continue;
      }
      boolean done = true;
      int alive = 0;
      StringBuilder serving = new StringBuilder();
      for (Map<String, Object> leaf : (List<Map<String, Object>>) status.get("leaves")) {
        if (Boolean.TRUE.equals(leaf.get("alive"))) {
          alive++;
        }
        serving.append(leaf.get("id")).append(leaf.get("alive")).append(':');
        for (Map<String, Object> shard : (List<Map<String, Object>>) leaf.get("partitions")) {
          if (Boolean.TRUE.equals(shard.get("assigned"))
              && ((Number) shard.get("lag")).longValue() > 0) {
            done = false;
          }
          if (Boolean.TRUE.equals(shard.get("serving"))) {
            serving.append(shard.get("collection")).append('/').append(shard.get("partition"))
                .append(',');
          }
        }
        serving.append(';');
      }
      boolean found = false;
      for (Map<String, Object> coll : (List<Map<String, Object>>) status.get("collections")) {
        found |= collection.equals(coll.get("name"));
        if (coll.get("unservedPartitions") instanceof List<?> l && !l.isEmpty()) {
          done = false;
        }
      }
      done &= found && alive >= leaves;
      String s = serving.toString();
      stable = done && s.equals(previous) ? stable + 1 : 0;
      previous = s;
      if (stable >= 10) {
        return;
      }
      last = status.toString();
      Thread.sleep(200);
    }
    throw new AssertionError("the cluster did not catch up within " + timeout + ": " + last);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> status(String api) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/cluster"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /v1/cluster: " + r.statusCode() + " " + r.body());
    }
    return ClusterHttp.JSON.readValue(r.body(), Map.class);
  }
}
