package io.converge.cluster.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cluster as an aggregator's {@code GET /v1/cluster} shows it, and the waits built on it: for
 * the cluster to be whole again after a fault (every replica group serves every partition of the
 * collection with live leaves), and for it to be quiet (also every shard applied to the end of its
 * partition, and nothing moving for 2 s).
 */
final class ClusterStatus {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(3)).build();

  private final JsonNode root;

  private ClusterStatus(JsonNode root) {
    this.root = root;
  }

  /** The status from the first of {@code apis} that answers. */
  static ClusterStatus read(List<String> apis) throws IOException, InterruptedException {
    IOException last = null;
    for (String api : apis) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api
            + "/v1/cluster")).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return new ClusterStatus(JSON.readTree(r.body()));
        }
        last = new IOException("GET " + api + "/v1/cluster: " + r.statusCode() + " " + r.body());
      } catch (IOException e) {
        last = e;
      }
    }
    throw last == null ? new IOException("no aggregator to ask") : last;
  }

  /**
   * Whether every one of {@code groups} serves all {@code partitions} of {@code collection}
   * through live leaves.
   */
  boolean whole(String collection, int partitions, int groups) {
    Map<String, Set<Integer>> served = new TreeMap<>();
    for (JsonNode leaf : root.path("leaves")) {
      if (!leaf.path("alive").asBoolean()) {
        continue;
      }
      Set<Integer> s = served.computeIfAbsent(leaf.path("group").asText(), g -> new TreeSet<>());
      for (JsonNode shard : leaf.path("partitions")) {
        if (collection.equals(shard.path("collection").asText())
            && shard.path("serving").asBoolean()) {
          s.add(shard.path("partition").asInt());
        }
      }
    }
    long full = served.values().stream().filter(s -> s.size() >= partitions).count();
    return full >= groups;
  }

  /** Whether every assigned shard of a live leaf has applied its partition to the end. */
  boolean caughtUp() {
    for (JsonNode leaf : root.path("leaves")) {
      if (!leaf.path("alive").asBoolean()) {
        continue;
      }
      for (JsonNode shard : leaf.path("partitions")) {
        if (shard.path("assigned").asBoolean() && shard.path("lag").asLong() > 0) {
          return false;
        }
      }
    }
    for (JsonNode c : root.path("collections")) {
      if (c.path("unservedPartitions").size() > 0) {
        return false;
      }
    }
    return true;
  }

  /** Which live leaf serves which shards: equal twice in a row means nothing moved. */
  String servingShards() {
    StringBuilder b = new StringBuilder();
    for (JsonNode leaf : root.path("leaves")) {
      b.append(leaf.path("id").asText()).append(leaf.path("alive").asBoolean()).append(':');
      for (JsonNode shard : leaf.path("partitions")) {
        if (shard.path("serving").asBoolean()) {
          b.append(shard.path("collection").asText()).append('/')
              .append(shard.path("partition").asInt()).append(',');
        }
      }
      b.append(';');
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return root.toString();
  }

  /** Waits until the cluster is whole; returns how long that took. */
  static Duration awaitWhole(List<String> apis, String collection, int partitions, int groups,
      Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        ClusterStatus s = read(apis);
        if (s.whole(collection, partitions, groups)) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
        last = s.toString();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the cluster was not whole again within " + timeout + ": " + last);
  }

  /** Waits until the cluster is whole, caught up, and has not moved a shard for 2 s. */
  static void awaitQuiet(List<String> apis, String collection, int partitions, int groups,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    String previous = null;
    int stable = 0;
    while (System.nanoTime() < deadline) {
      try {
        ClusterStatus s = read(apis);
        boolean quiet = s.whole(collection, partitions, groups) && s.caughtUp();
        String serving = s.servingShards();
        stable = quiet && serving.equals(previous) ? stable + 1 : 0;
        previous = serving;
        if (stable >= 10) {
          return;
        }
        last = s.toString();
      } catch (IOException e) {
        last = e.toString();
        stable = 0;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the cluster did not quiet down within " + timeout + ": " + last);
  }
}
