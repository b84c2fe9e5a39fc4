package io.converge.bench.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.bench.Timings;
import io.converge.examples.SampleData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The cluster's write path: generated orders posted as NDJSON to the aggregator's HTTP API,
 * which answers once Kafka acknowledged them, then applied by the leaves.
 */
final class WritePath {
  static final int THREADS = 4;
  static final int BATCH = 1000;
  /** Batches per second of the latency phase. */
  static final int LATENCY_BATCHES_PER_SECOND = 50;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ClusterChild cluster;
  private final String bootstrap;
  private final long brokerPid;
  private final PrintStream log;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  WritePath(ClusterChild cluster, String bootstrap, long brokerPid, PrintStream log) {
    this.cluster = cluster;
    this.bootstrap = bootstrap;
    this.brokerPid = brokerPid;
    this.log = log;
  }

  /**
   * The throughput phase.
   *
   * @param ackNanos from the first post to the last acknowledgement
   * @param appliedNanos from the first post until every leaf applied everything
   * @param cpuSeconds per process (broker, aggregator, leaf-*), over the whole phase
   */
  record Throughput(long documents, long ackNanos, long appliedNanos,
      Map<String, Double> cpuSeconds) {
    double ackedPerSecond() {
      return documents / (ackNanos / 1e9);
    }

    double appliedPerSecond() {
      return documents / (appliedNanos / 1e9);
    }
  }

  /** Acknowledgement-to-visible latencies (ns) of the sampled batches, and what was written. */
  record Latency(long[] nanos, long batches, long documents, long wallNanos, int rate) {
    long p(double q) {
      return nanos.length == 0 ? -1 : Timings.percentile(nanos, q);
    }
  }

  Throughput throughput(String collection, long docs, long seed) throws Exception {
    List<byte[]> batches = new ArrayList<>();
    Iterator<Map<String, Object>> orders = SampleData.orders(docs, seed);
    ByteArrayOutputStream b = new ByteArrayOutputStream(1 << 20);
    long n = 0;
    while (orders.hasNext()) {
      Map<String, Object> o = new java.util.LinkedHashMap<>(orders.next());
      o.put("_id", "t" + n);
      o.put("batch", n / BATCH);
      b.write(JSON.writeValueAsBytes(o));
      b.write('\n');
      if (++n % BATCH == 0) {
        batches.add(b.toByteArray());
        b.reset();
      }
    }
    if (b.size() > 0) {
      batches.add(b.toByteArray());
    }
    Map<String, Long> pids = new java.util.LinkedHashMap<>();
    pids.put("broker", brokerPid);
    pids.putAll(cluster.pids());
    // the collection exists before the clock starts (its topic is created on first write)
    post(collection, batches.get(0));
    Map<String, Double> before = ProcessCpu.read(pids);
    long t0 = System.nanoTime();
    AtomicInteger next = new AtomicInteger(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        done.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
            post(collection, batches.get(i));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long acked = System.nanoTime() - t0;
    String topic = io.converge.cluster.log.ClusterTopics.dataTopic(collection);
    cluster.awaitApplied(collection, TopicLoad.endOffsets(bootstrap, topic),
        Duration.ofSeconds(600));
    long applied = System.nanoTime() - t0;
    Map<String, Double> used = ProcessCpu.delta(before, ProcessCpu.read(pids));
    // the first batch was posted before the clock started
    long timed = n - Math.min(n, BATCH);
    log.printf(Locale.ROOT, "  write path: %,d docs acknowledged in %s, applied in %s%n", timed,
        Timings.seconds(acked), Timings.seconds(applied));
    return new Throughput(timed, acked, applied, used);
  }

  Latency latency(String collection, int rate, int seconds, long seed) throws Exception {
    int perBatch = Math.max(1, rate / LATENCY_BATCHES_PER_SECOND);
    long intervalNanos = 1_000_000_000L / LATENCY_BATCHES_PER_SECOND;
    long batches = (long) seconds * LATENCY_BATCHES_PER_SECOND;
    Iterator<Map<String, Object>> orders = SampleData.orders(batches * perBatch, seed + 7);
    AtomicReference<long[]> latest = new AtomicReference<>(); // {batch, ackNanos}
    AtomicReference<Exception> readerFailed = new AtomicReference<>();
    List<Long> sampled = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean writing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread reader = new Thread(() -> {
      try (Connection c = DriverManager.getConnection(cluster.jdbcUrl());
          PreparedStatement ps = c.prepareStatement("select \"_id\" from " + collection
              + " where \"_id\" = ?")) {
        long measured = -1;
        while (writing.get()) {
          long[] l = latest.get();
          if (l == null || l[0] == measured) {
            Thread.sleep(1);
            continue;
          }
          measured = l[0];
          String id = "l" + (l[0] * perBatch + perBatch - 1);
          long deadline = System.nanoTime() + 10_000_000_000L;
          while (!visible(ps, id)) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("_id " + id + " not visible 10 s after its ack");
            }
          }
          sampled.add(System.nanoTime() - l[1]);
        }
      } catch (Exception e) {
        readerFailed.set(e);
      }
    }, "latency-reader");
    reader.setDaemon(true);
    reader.start();
    long t0 = System.nanoTime();
    long n = 0;
    try {
      long end = t0 + seconds * 1_000_000_000L;
      // stops at --seconds even when the answers are too slow for the rate
      for (long k = 0; k < batches && readerFailed.get() == null && System.nanoTime() < end;
          k++) {
        long due = t0 + k * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(perBatch * 600);
        for (int i = 0; i < perBatch; i++) {
          Map<String, Object> o = new java.util.LinkedHashMap<>(orders.next());
          o.put("_id", "l" + n++);
          o.put("batch", k);
          b.write(JSON.writeValueAsBytes(o));
          b.write('\n');
        }
        post(collection, b.toByteArray());
        latest.set(new long[] {k, System.nanoTime()});
      }
      // the last sample's reader finishes
      Thread.sleep(500);
    } finally {
      writing.set(false);
      reader.join(15_000);
    }
    if (readerFailed.get() != null) {
      throw readerFailed.get();
    }
    long wall = System.nanoTime() - t0;
    long[] nanos = sampled.stream().mapToLong(Long::longValue).toArray();
    return new Latency(nanos, n / perBatch, n, wall, rate);
  }

  private static boolean visible(PreparedStatement ps, String id) throws SQLException {
    ps.setString(1, id);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  private void post(String collection, byte[] body) throws IOException, InterruptedException {
    URI uri = URI.create(cluster.baseUrl() + "/v1/collections/" + collection + "/docs");
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/x-ndjson").timeout(Duration.ofSeconds(120))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("POST " + uri + " answered " + r.statusCode() + ": "
          + r.body().substring(0, Math.min(300, r.body().length())));
    }
  }
}
