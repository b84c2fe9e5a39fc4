package io.converge.bench.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A leaf's fragment work counters, read from its {@code GET /metrics}: fragments executed ({@code
 * converge_query_seconds_count{role="leaf",request="fragment"}}), the CPU time of the threads
 * while they worked on fragments ({@code converge_leaf_fragment_cpu_seconds_total}), rows
 * returned ({@code converge_leaf_fragment_rows_total}) and documents of the shards the
 * fragments ran over ({@code converge_leaf_fragment_shard_rows_total}).
 */
final class LeafCounters {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private LeafCounters() {}

  /** One reading, or a difference of two, or that divided by the runs. */
  record Work(double fragments, double cpuSeconds, double rows, double shardRows) {
    Work minus(Work before) {
      return new Work(fragments - before.fragments, cpuSeconds - before.cpuSeconds,
          rows - before.rows, shardRows - before.shardRows);
    }

    Work per(int runs) {
      int n = Math.max(1, runs);
      return new Work(fragments / n, cpuSeconds / n, rows / n, shardRows / n);
    }
  }

  /** Every leaf's counters now, by leaf name; a leaf that does not answer is left out. */
  static Map<String, Work> read(Map<String, URI> metrics) {
    Map<String, Work> m = new LinkedHashMap<>();
    metrics.forEach((name, uri) -> {
      try {
        m.put(name, parse(scrape(uri)));
      } catch (IOException e) {
        // no figure for this leaf
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    return m;
  }

  /** Per leaf: {@code after - before}, divided by {@code runs}. */
  static Map<String, Work> perRun(Map<String, Work> before, Map<String, Work> after, int runs) {
    Map<String, Work> d = new LinkedHashMap<>();
    after.forEach((name, w) -> {
      if (before.containsKey(name)) {
        d.put(name, w.minus(before.get(name)).per(runs));
      }
    });
    return d;
  }

  private static String scrape(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + uri + " answered " + r.statusCode());
    }
    return r.body();
  }

  /** The counters in a Prometheus text scrape (0 for those missing). */
  static Work parse(String body) {
    double fragments = 0;
    double cpu = 0;
    double rows = 0;
    double shardRows = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith("converge_query_seconds_count{") && line.contains("role=\"leaf\"")
          && line.contains("request=\"fragment\"")) {
        fragments += value(line);
      } else if (line.startsWith("converge_leaf_fragment_cpu_seconds_total")) {
        cpu += value(line);
      } else if (line.startsWith("converge_leaf_fragment_rows_total")) {
        rows += value(line);
      } else if (line.startsWith("converge_leaf_fragment_shard_rows_total")) {
        shardRows += value(line);
      }
    }
    return new Work(fragments, cpu, rows, shardRows);
  }

  /** A sample's value: the number after the name and its labels. */
  private static double value(String line) {
    int labels = line.lastIndexOf('}');
    String rest = labels >= 0 ? line.substring(labels + 1) : line.substring(line.indexOf(' '));
    return Double.parseDouble(rest.trim().split(" ")[0]);
  }
}
