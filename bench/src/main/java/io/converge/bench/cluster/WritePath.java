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
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The cluster's write path: generated orders posted as NDJSON to the aggregator's HTTP API,
 * which answers once Kafka acknowledged them, then applied by the leaves; and how long written
 * documents take to be visible through the aggregator.
 */
final class WritePath {
  static final int THREADS = 4;
  static final int BATCH = 1000;
  /** Batches per second of the latency phase. */
  static final int LATENCY_BATCHES_PER_SECOND = 50;
  /**
   * Threads posting the latency phase's batches on their schedule: enough for answers of up to
   * 300 ms at 50 batches a second, as a loaded 2-core machine gives.
   */
  static final int LATENCY_WRITERS = 16;
  /** Threads probing for the latency phase's batches. */
  static final int PROBERS = 2;
  private static final long PREPARE_TIMEOUT_SECONDS = 120;
  /** How long the probers may take to finish once the writes ended. */
  private static final long PROBE_WAIT_SECONDS = 30;
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

  /**
   * The latency phase, per sampled batch: from the aggregator's answer to the end of the first
   * probe that returned the batch's last document ({@code nanos}), how long that probe took
   * ({@code probeNanos}) and how many probes it took ({@code probes}); and what was written:
   * {@code documents} in {@code batches}, the last answered {@code wallNanos} after the first was
   * due, {@code lateBatches} of them posted more than one interval after they were due.
   */
  record Latency(long[] nanos, long[] probeNanos, long[] probes, long batches, long documents,
      long wallNanos, long lateBatches, int rate) {
    long p(double q) {
      return nanos.length == 0 ? -1 : Timings.percentile(nanos, q);
    }

    long probeP(double q) {
      return probeNanos.length == 0 ? -1 : Timings.percentile(probeNanos, q);
    }

    long maxProbes() {
      return Arrays.stream(probes).max().orElse(0);
    }

    double docsPerSecond() {
      return documents / (wallNanos / 1e9);
    }

    /** Below 100 samples the p99 is the largest sample. */
    boolean fewSamples() {
      return nanos.length < 100;
    }
  }

  Throughput throughput(String collection, long docs, long seed) throws Exception {
    List<byte[]> batches = new ArrayList<>();
    Iterator<Map<String, Object>> orders = SampleData.orders(docs, seed);
    ByteArrayOutputStream b = new ByteArrayOutputStream(1 << 20);
    long n = 0;
    while (orders.hasNext()) {
      Map<String, Object> o = new LinkedHashMap<>(orders.next());
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
    Map<String, Long> pids = new LinkedHashMap<>();
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

  /**
   * Writes {@code rate} documents/s for {@code seconds} and samples how long written documents
   * take to be visible through the aggregator.
   *
   * <p>Writers: {@link #LATENCY_WRITERS} threads post batch {@code k} when it is due (the phase's
   * start plus {@code k} intervals), whoever is free, so a slow answer delays no later batch and
   * the rate holds as long as the answers take less than the writers' combined slack.
   *
   * <p>Probers: {@link #PROBERS} threads each wait for a batch answered after they became free
   * (so no sample includes time a prober spent on an earlier one), then run the prepared
   * {@code _id} lookup of the batch's last document until it returns it. What a probe itself
   * costs is reported beside the latency: when the two are close, the probe is the latency.
   */
  Latency latency(String collection, int rate, int seconds, long seed) throws Exception {
    int perBatch = Math.max(1, rate / LATENCY_BATCHES_PER_SECOND);
    long intervalNanos = 1_000_000_000L / LATENCY_BATCHES_PER_SECOND;
    long batches = (long) seconds * LATENCY_BATCHES_PER_SECOND;
    List<byte[]> bodies = latencyBodies(perBatch, batches, seed);
    // {batch, answeredNanos} of the newest batch answered
    AtomicReference<long[]> latest = new AtomicReference<>();
    Set<Long> claimed = ConcurrentHashMap.newKeySet();
    List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean writing =
        new AtomicBoolean(true);
    ExecutorService probers = Executors.newFixedThreadPool(PROBERS);
    List<Future<?>> probing = new ArrayList<>();
    // the probes are prepared before the clock starts: preparing is not what is measured
    CountDownLatch prepared = new CountDownLatch(PROBERS);
    long p0 = System.nanoTime();
    for (int i = 0; i < PROBERS; i++) {
      probing.add(probers.submit(() -> {
        try {
          probe(collection, perBatch, latest, claimed, samples, writing, prepared);
        } finally {
          prepared.countDown(); // a prober that failed to prepare holds nobody up
        }
        return null;
      }));
    }
    if (!prepared.await(PREPARE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      writing.set(false);
      probers.shutdownNow();
      throw new IllegalStateException("the probe was not prepared within "
          + PREPARE_TIMEOUT_SECONDS + " s");
    }
    log.printf(Locale.ROOT, "  latency probes prepared in %s%n",
        Timings.seconds(System.nanoTime() - p0));
    AtomicInteger next = new AtomicInteger();
    AtomicLong written = new AtomicLong();
    AtomicLong late = new AtomicLong();
    AtomicLong lastAnswer = new AtomicLong();
    long t0 = System.nanoTime() + intervalNanos;
    long end = t0 + seconds * 1_000_000_000L;
    ExecutorService writers = Executors.newFixedThreadPool(LATENCY_WRITERS);
    try {
      List<Future<?>> posting = new ArrayList<>();
      for (int w = 0; w < LATENCY_WRITERS; w++) {
        posting.add(writers.submit(() -> {
          // stops at --seconds even when the answers are too slow for the rate
          for (int k = next.getAndIncrement(); k < batches && System.nanoTime() < end;
              k = next.getAndIncrement()) {
            long due = t0 + k * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } else if (-wait > intervalNanos) {
              late.incrementAndGet();
            }
            post(collection, bodies.get(k));
            long answered = System.nanoTime();
            long batch = k;
            latest.accumulateAndGet(new long[] {batch, answered},
                (a, b) -> a == null || b[0] > a[0] ? b : a);
            lastAnswer.accumulateAndGet(answered, Math::max);
            written.addAndGet(perBatch);
          }
          return null;
        }));
      }
      for (Future<?> f : posting) {
        f.get();
      }
      // the probes of the last batches finish
      Thread.sleep(500);
    } finally {
      writing.set(false);
      writers.shutdownNow();
      probers.shutdown();
    }
    for (Future<?> f : probing) {
      try {
        f.get(PROBE_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        // a probe slower than that: the samples taken so far are the result
        log.printf(Locale.ROOT, "  a latency prober still probing %d s after the writes ended;"
            + " its sample is left out%n", PROBE_WAIT_SECONDS);
        f.cancel(true);
      }
    }
    long[] nanos;
    long[] probeNanos;
    long[] probes;
    synchronized (samples) {
      nanos = new long[samples.size()];
      probeNanos = new long[samples.size()];
      probes = new long[samples.size()];
      for (int i = 0; i < nanos.length; i++) {
        long[] s = samples.get(i);
        nanos[i] = s[0];
        probeNanos[i] = s[1];
        probes[i] = s[2];
      }
    }
    long docs = written.get();
    return new Latency(nanos, probeNanos, probes, docs / perBatch, docs,
        Math.max(1, lastAnswer.get() - t0), late.get(), rate);
  }

  /** The NDJSON bodies of the latency phase, generated before the clock starts. */
  private static List<byte[]> latencyBodies(int perBatch, long batches, long seed)
      throws IOException {
    Iterator<Map<String, Object>> orders = SampleData.orders(batches * perBatch, seed + 7);
    List<byte[]> bodies = new ArrayList<>();
    long n = 0;
    for (long k = 0; k < batches; k++) {
      ByteArrayOutputStream b = new ByteArrayOutputStream(perBatch * 600);
      for (int i = 0; i < perBatch; i++) {
        Map<String, Object> o = new LinkedHashMap<>(orders.next());
        o.put("_id", "l" + n++);
        o.put("batch", k);
        b.write(JSON.writeValueAsBytes(o));
        b.write('\n');
      }
      bodies.add(b.toByteArray());
    }
    return bodies;
  }

  /**
   * One prober: until writing stops, takes a batch answered after it became free, probes the
   * batch's last document until it is returned, and adds {ack to visible, the last probe's time,
   * probes} to {@code samples}.
   */
  private void probe(String collection, int perBatch, AtomicReference<long[]> latest,
      Set<Long> claimed, List<long[]> samples, AtomicBoolean writing, CountDownLatch prepared)
      throws Exception {
    try (Connection c = DriverManager.getConnection(cluster.jdbcUrl());
        PreparedStatement ps = c.prepareStatement("select \"_id\" from " + collection
            + " where \"_id\" = ?")) {
      // its first run plans it; the throughput phase's first document is there
      long w0 = System.nanoTime();
      visible(ps, "t0");
      log.printf(Locale.ROOT, "  a latency probe before the writes: %s%n",
          Timings.ms(System.nanoTime() - w0));
      prepared.countDown();
      long free = System.nanoTime();
      while (writing.get()) {
        long[] l = latest.get();
        if (l == null || l[1] < free || !claimed.add(l[0])) {
          LockSupport.parkNanos(200_000);
          continue;
        }
        String id = "l" + (l[0] * perBatch + perBatch - 1);
        long deadline = l[1] + 10_000_000_000L;
        long probes = 0;
        long started;
        long done;
        boolean found;
        do {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("_id " + id + " not visible 10 s after its ack");
          }
          started = System.nanoTime();
          found = visible(ps, id);
          done = System.nanoTime();
          probes++;
        } while (!found);
        samples.add(new long[] {done - l[1], done - started, probes});
        free = System.nanoTime();
      }
    }
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
