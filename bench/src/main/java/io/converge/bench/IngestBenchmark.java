package io.converge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.examples.SampleData;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.write.BulkLoader;
import io.converge.storage.write.LoadListener;
import io.converge.storage.write.LoadResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The ingest benchmark of issue 4, through the HTTP write API of a real server on loopback over a
 * fresh data directory:
 * <ol>
 *   <li>sustained ingest: N client threads post NDJSON batches of sample orders (generated
 *       beforehand, not timed) as fast as the server acknowledges them; docs/s with every index
 *       built and every batch WAL-synced before its response;
 *   <li>data latency, RockBench-style: one writer posts small batches at a fixed rate (and as fast
 *       as it can) while a reader polls {@code SELECT ... WHERE _id = ?} (a PreparedStatement
 *       through the Avatica driver) for the last acknowledged {@code _id}: the time from the
 *       acknowledgement to the first poll that sees it, p50/p95/p99;
 *   <li>query latency under ingest: a needle and a GROUP BY, idle and while a writer posts at
 *       10k docs/s, and the ratio.
 * </ol>
 * Clients and server share the machine (and its cores), as in the other benchmarks.
 */
final class IngestBenchmark {
  static final String HEADING = "Ingest benchmark";
  static final String COLLECTION = SampleData.ORDERS;
  /** Scratch collection of the untimed warm-up. */
  static final String WARMUP_COLLECTION = "ingest_warmup";
  /** Bodies bulk-loaded in-process by the warm-up. */
  static final int WARMUP_BATCHES = 20;
  /** The HTTP warm-up posts this many times the timed documents... */
  static final int WARMUP_FACTOR = 4;
  /** ...but no more than this many... */
  static final long WARMUP_MAX_DOCS = 1_000_000;
  /** ...generated and posted this many at a time. */
  static final int WARMUP_CHUNK_DOCS = 50_000;
  /** Where the in-process baseline writes the same documents. */
  static final String DIRECT_COLLECTION = "orders_direct";
  /** A fixed-rate writer posts one batch per tick. */
  static final long TICK_NANOS = 10_000_000;
  /** Batch size of the unthrottled ("max") latency writer. */
  static final int MAX_RATE_BATCH = 100;
  /** The rate of the query-under-ingest phase, docs/s. */
  static final long QUERY_PHASE_RATE = 10_000;

  static final String LOOKUP_SQL = "select \"_id\" from orders where \"_id\" = ?";
  static final String NEEDLE_SQL =
      "select \"_id\", amount, status from orders where \"customer.id\" = 'c-00042'";
  static final String GROUP_BY_SQL =
      "select status, count(*), sum(amount) from orders group by status";

  record Options(long docs, int threads, int batch, List<Long> rates, int latencySeconds,
      int runs, int warmup, long seed, Path dataDir, Path out, boolean help, List<String> args,
      long warmupDocs, long settleSeconds) {
    static Options parse(String[] args) {
      long docs = 1_000_000;
      int threads = 4;
      int batch = 1000;
      List<Long> rates = List.of(1_000L, 10_000L, 0L);
      int latencySeconds = 10;
      int runs = 10;
      int warmup = 3;
      long seed = SampleData.DEMO_SEED;
      Path dataDir = null;
      Path out = Path.of("docs", "benchmarks.md");
      long warmupDocs = -1;
      long settleSeconds = SETTLE_MAX_SECONDS;
      OptionArgs it = new OptionArgs(args);
      while (it.next()) {
        String name = it.name();
        String value = it.value();
        switch (name) {
          case "--docs" -> docs = OptionArgs.positive(name, value);
          case "--threads" -> threads = (int) OptionArgs.positive(name, value);
          case "--batch" -> batch = (int) OptionArgs.positive(name, value);
          case "--rates" -> rates = rates(name, value);
          case "--latency-seconds" -> latencySeconds = (int) OptionArgs.positive(name, value);
          case "--runs" -> runs = (int) OptionArgs.positive(name, value);
          case "--warmup" -> warmup = (int) OptionArgs.nonNegative(name, value);
          case "--seed" -> seed = OptionArgs.number(name, value);
          case "--data-dir" -> dataDir = Path.of(value);
          case "--out" -> out = value.equals("none") ? null : Path.of(value);
          case "--warmup-docs" -> warmupDocs = OptionArgs.nonNegative(name, value);
          case "--settle-seconds" -> settleSeconds = OptionArgs.nonNegative(name, value);
          default -> throw it.unknown();
        }
      }
      return new Options(docs, threads, batch, rates, latencySeconds, runs, warmup, seed,
          dataDir, out, it.help(), List.of(args), warmupDocs, settleSeconds);
    }

    /** Documents the HTTP warm-up posts: as given, else 4x the timed ones, at most 1M. */
    long httpWarmupDocs() {
      return warmupDocs >= 0 ? warmupDocs : Math.min(WARMUP_MAX_DOCS, WARMUP_FACTOR * docs);
    }

    /** {@code 1000,10000,max}: docs/s per latency run, 0 for as fast as one writer can. */
    static List<Long> rates(String name, String value) {
      List<Long> list = new ArrayList<>();
      for (String r : value.split(",")) {
        list.add(r.trim().equals("max") ? 0L : OptionArgs.positive(name, r.trim()));
      }
      return list;
    }
  }

  /** What one POST answered. */
  record Ack(int written, int errors) {}

  /** A body ready to post and the last {@code _id} in it. */
  record Batch(byte[] body, String lastId, int size) {}

  /** Generates NDJSON batches of sample orders with {@code _id}s of a given prefix. */
  static final class BatchSource {
    private final Iterator<Map<String, Object>> docs;
    private final String idPrefix;
    private long n;

    BatchSource(long seed, String idPrefix) {
      this.docs = SampleData.orders(Long.MAX_VALUE / 2, seed);
      this.idPrefix = idPrefix;
    }

    Batch next(int size) {
      List<Map<String, Object>> list = new ArrayList<>(size);
      String last = null;
      for (int i = 0; i < size; i++) {
        Map<String, Object> d = docs.next();
        if (idPrefix != null) {
          d.put("_id", idPrefix + (++n));
        }
        last = String.valueOf(d.get("_id"));
        list.add(d);
      }
      StringWriter w = new StringWriter(size * 300);
      try {
        SampleData.writeNdjson(w, list.iterator());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Batch(w.toString().getBytes(StandardCharsets.UTF_8), last, size);
    }
  }

  /** Posts NDJSON bodies to the server's write API. */
  static final class Poster {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI docs;

    Poster(ConvergeServer server) {
      this(server, COLLECTION);
    }

    Poster(ConvergeServer server, String collection) {
      this.docs = URI.create(server.apiUrl() + "/collections/" + collection + "/docs");
    }

    Ack post(byte[] body) throws IOException, InterruptedException {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(docs)
          .header("Content-Type", "application/x-ndjson")
          .timeout(Duration.ofSeconds(120))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IOException("POST " + docs + " answered " + r.statusCode() + ": "
            + new String(r.body(), StandardCharsets.UTF_8));
      }
      JsonNode n = JSON.readTree(r.body());
      return new Ack(n.path("written").asInt(), n.path("errors").asInt());
    }
  }

  /** Sustained ingest: what was written and how long it took. */
  record Sustained(long docs, long errors, long requests, long nanos, long cpuNanos,
      double loadBefore, double loadAfter, long sealNanos, long jitMillis) {
    double docsPerSecond() {
      return docs / (nanos / 1e9);
    }
  }

  /** One latency run: the writer's achieved rate and the ack-to-visible samples. */
  record Latency(long targetRate, long docs, long nanos, long[] samples, long retried,
      double load) {
    double achievedRate() {
      return docs / (nanos / 1e9);
    }

    String rateLabel() {
      return targetRate == 0 ? "max (one writer, " + MAX_RATE_BATCH + "-doc batches)"
          : Timings.count(targetRate) + " docs/s";
    }
  }

  /** The in-process baseline of the sustained phase. */
  record Direct(long docs, long nanos, long cpuNanos, double load) {
    double docsPerSecond() {
      return docs / (nanos / 1e9);
    }
  }

  /** Medians of a query idle, under ingest and idle again after it. */
  record QueryLoad(String name, String sql, double idleNanos, double busyNanos,
      double afterNanos, long writtenMeanwhile) {
    double ratio() {
      return busyNanos / idleNanos;
    }
  }

  private final Options options;
  private final PrintStream out;
  private final PrintStream err;
  /** Set by the sustained phase. */
  private Direct direct;
  /** What the warm-up posted, for the report. */
  private String warmUpSummary = "none";
  /** What the in-process baseline's warm-up did, for the report. */
  private String directWarmUpSummary = "none";

  IngestBenchmark(Options options, PrintStream out, PrintStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  boolean run() throws Exception {
    MachineInfo machine = MachineInfo.current();
    out.printf(Locale.ROOT, "Ingest benchmark: %s orders over HTTP by %d threads in %,d-doc"
            + " NDJSON batches; latency at %s docs/s for %d s each%n",
        Timings.count(options.docs()), options.threads(), options.batch(),
        rateList(), options.latencySeconds());
    out.println("Machine: " + machine.describe());
    if (options.dataDir() != null) {
      FoundationBenchmark.checkFresh(options.dataDir());
    }
    Path work = Files.createTempDirectory("converge-ingest-bench-");
    Path dataDir = options.dataDir() != null ? options.dataDir() : work.resolve("data");
    Files.createDirectories(dataDir);
    List<String> problems = new ArrayList<>();
    ConvergeServer server = ConvergeServer.start(
        new ServerOptions(dataDir, ServerOptions.DEFAULT_HOST, 0, ServerOptions.PROTOBUF));
    try {
      out.println("Server: " + server.apiUrl() + " (write API), " + server.jdbcUrl());
      Poster poster = new Poster(server);

      Sustained s = sustained(server, poster);
      long expected = options.docs();
      if (s.docs != expected || s.errors != 0) {
        problems.add("sustained ingest wrote " + s.docs + " of " + expected + " documents ("
            + s.errors + " rejected)");
      }
      long count = server.store().collection(COLLECTION).documentCount();
      if (count != expected) {
        problems.add("after the sustained phase the collection holds " + count + ", expected "
            + expected);
      }

      List<Latency> latencies = new ArrayList<>();
      double lookupIdle;
      try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
        lookupIdle = idleLookup(c);
        out.printf(Locale.ROOT, "Idle _id lookup (PreparedStatement), median: %s%n",
            Timings.latency(lookupIdle));
        int run = 0;
        for (long rate : options.rates()) {
          Latency l = latency(poster, c, rate, "lat" + (++run) + "-");
          latencies.add(l);
          if (l.samples.length == 0) {
            problems.add("latency run at " + l.rateLabel() + " took no sample");
          }
        }
      }

      List<QueryLoad> queries = queriesUnderIngest(server, poster);

      String table = table(s, latencies, queries);
      out.println();
      out.print(table);
      for (String p : problems) {
        err.println("CHECK FAILED: " + p);
      }
      if (options.out() != null) {
        MarkdownSection.write(options.out(), HEADING,
            markdown(machine, s, latencies, lookupIdle, queries, table, problems));
        out.println("Wrote section '" + HEADING + "' of " + options.out());
      }
      return problems.isEmpty();
    } finally {
      server.stop();
      FoundationBenchmark.deleteTree(work);
    }
  }

  private String rateList() {
    StringBuilder b = new StringBuilder();
    for (long r : options.rates()) {
      b.append(b.length() == 0 ? "" : ", ").append(r == 0 ? "max" : Timings.count(r));
    }
    return b.toString();
  }

  /** Phase 1: every thread takes the next pre-generated body until none is left. */
  private Sustained sustained(ConvergeServer server, Poster poster) throws Exception {
    long g0 = System.nanoTime();
    BatchSource source = new BatchSource(options.seed(), null);
    List<Batch> batches = new ArrayList<>();
    for (long left = options.docs(); left > 0; left -= options.batch()) {
      batches.add(source.next((int) Math.min(options.batch(), left)));
    }
    long bytes = batches.stream().mapToLong(b -> b.body().length).sum();
    out.printf(Locale.ROOT, "Generated %,d bodies (%s) in %s (not timed)%n", batches.size(),
        Timings.megabytes(bytes), Timings.seconds(System.nanoTime() - g0));

    warmUp(server);

    AtomicLong written = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong requests = new AtomicLong();
    long step = Math.max(1, batches.size() / 10);
    double loadBefore = SystemLoad.loadAverage();
    long jit0 = SteadyState.compilationMillis();
    long cpu0 = SystemLoad.processCpuNanos();
    long t0 = System.nanoTime();
    inParallel(batches.size(), () -> i -> {
      Ack a = poster.post(batches.get(i).body());
      written.addAndGet(a.written());
      errors.addAndGet(a.errors());
      long done = requests.incrementAndGet();
      if (done % step == 0) {
        double sec = (System.nanoTime() - t0) / 1e9;
        err.printf(Locale.ROOT, "  %,d docs acknowledged (%,.0f docs/s)%n", written.get(),
            written.get() / sec);
      }
    });
    long nanos = System.nanoTime() - t0;
    long cpu = SystemLoad.processCpuNanos() - cpu0;
    long jitMillis = SteadyState.compilationMillis() - jit0;
    double loadAfter = SystemLoad.loadAverage();
    long s0 = System.nanoTime();
    server.store().awaitSealed();
    long sealNanos = System.nanoTime() - s0;
    Sustained s = new Sustained(written.get(), errors.get(), requests.get(), nanos, cpu,
        loadBefore, loadAfter, sealNanos, jitMillis);
    directWarmUpSummary = warmUpDirect(server, batches);
    out.println("In-process warm-up: " + directWarmUpSummary);
    direct = direct(server, batches);
    batches.clear();
    out.printf(Locale.ROOT, "Sustained ingest: %s docs in %s = %,.0f docs/s (%d threads, %,d"
            + " requests); process CPU %.1f s (%.0f us per document, server and clients); load"
            + " average %.1f before, %.1f after; queued segment seals finished %s after the last"
            + " ack; JIT compilation meanwhile %s%n",
        Timings.count(s.docs), Timings.seconds(nanos), s.docsPerSecond(), options.threads(),
        s.requests, cpu / 1e9, cpu / 1e3 / Math.max(1, s.docs), loadBefore, loadAfter,
        Timings.seconds(sealNanos),
        jitMillis < 0 ? "unknown" : Timings.seconds(jitMillis * 1_000_000.0));
    warnIfBusy(Math.max(loadBefore, loadAfter));
    return s;
  }

  /**
   * Warms the HTTP path up in a scratch collection, then drops it and {@link #settle settles} the
   * process, so that the timed phase pays for neither class loading and JIT compilation of the
   * shared code (the reader, preparer and write path) nor the warm-up's own leftovers: by the
   * same number of client threads as the timed phase, fresh documents (inserts, as timed, with
   * segment seals), {@link #WARMUP_FACTOR} times the timed documents, at most
   * {@link #WARMUP_MAX_DOCS}. With 20 batches, C2 compiled through the whole timed phase and, on
   * this 2-core machine, took about a third of the timed CPU; code that runs once per request
   * (Jetty, the HTTP client, the batch write) reaches C2 only after thousands of requests.
   */
  private void warmUp(ConvergeServer server) throws Exception {
    long t0 = System.nanoTime();
    long jit0 = SteadyState.compilationMillis();
    Poster warm = new Poster(server, WARMUP_COLLECTION);
    BatchSource fresh = new BatchSource(options.seed() + 1, "warm-");
    long target = options.httpWarmupDocs();
    long posted = 0;
    while (posted < target) {
      List<Batch> bodies = new ArrayList<>();
      for (long chunk = 0; chunk < WARMUP_CHUNK_DOCS && posted < target; ) {
        int size = (int) Math.min(options.batch(), target - posted);
        bodies.add(fresh.next(size));
        chunk += size;
        posted += size;
      }
      postAll(warm, bodies); // generated a chunk at a time: a million documents are 300 MB
    }
    server.store().awaitSealed(); // the sealer is part of the path to warm up
    server.store().drop(WARMUP_COLLECTION);
    long jitMillis = SteadyState.compilationMillis() - jit0;
    String settled = settle(server);
    warmUpSummary = String.format(Locale.ROOT, "%s fresh documents over HTTP (%d threads) into a"
            + " scratch collection, dropped (%s, not timed; JIT compilation meanwhile %s); then %s",
        Timings.count(posted), options.threads(), Timings.seconds(System.nanoTime() - t0),
        jitMillis < 0 ? "unknown" : Timings.seconds(jitMillis * 1_000_000.0), settled);
    out.println("Warm-up: " + warmUpSummary);
  }

  /**
   * Warms the in-process path ({@link BulkLoader}: a stream reader where HTTP reads bytes) with
   * the first {@link #WARMUP_BATCHES} bodies into a scratch collection, dropped, and settles.
   */
  private String warmUpDirect(ConvergeServer server, List<Batch> batches) throws Exception {
    ConvergeCollection scratch = server.store().getOrCreate(WARMUP_COLLECTION);
    BulkLoader loader = new BulkLoader(scratch, options.batch());
    int n = Math.min(WARMUP_BATCHES, Math.max(1, batches.size() / 10));
    for (int i = 0; i < n; i++) {
      loader.load("warm-up", new ByteArrayInputStream(batches.get(i).body()),
          new LoadListener() { });
    }
    server.store().awaitSealed();
    server.store().drop(WARMUP_COLLECTION);
    return n + " bodies in-process into a scratch collection, dropped; then " + settle(server);
  }

  /** Longest wait of {@link SteadyState#settle} for RocksDB, and for the JIT, by default. */
  static final long SETTLE_MAX_SECONDS = 30;

  private String settle(ConvergeServer server) throws InterruptedException {
    return SteadyState.settle(server.store(), options.settleSeconds());
  }

  /** Posts the bodies from {@code options.threads()} threads, each taking the next one. */
  private void postAll(Poster poster, List<Batch> bodies) throws Exception {
    inParallel(bodies.size(), () -> i -> poster.post(bodies.get(i).body()));
  }

  /** What one worker of {@link #inParallel} does with the index it took. */
  interface IndexTask {
    void run(int index) throws Exception;
  }

  /**
   * Runs {@code options.threads()} workers, each taking the next index below {@code count} until
   * none is left; {@code worker} makes each worker's task (with its own per-thread state), on
   * the worker's thread. The first failure is rethrown.
   */
  private void inParallel(int count, Callable<IndexTask> worker) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(options.threads());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < options.threads(); t++) {
        futures.add(pool.submit(() -> {
          IndexTask task = worker.call();
          int i;
          while ((i = next.getAndIncrement()) < count) {
            task.run(i);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The same bodies, by the same number of threads, through {@link BulkLoader} (the path of
   * {@code converge load}: the same JSON reader, preparer and one WriteBatch per batch) straight
   * into another collection of the same store, without HTTP: what the HTTP layer costs, measured
   * under the same machine load as the HTTP figure.
   */
  private Direct direct(ConvergeServer server, List<Batch> batches) throws Exception {
    ConvergeCollection target = server.store().getOrCreate(DIRECT_COLLECTION);
    AtomicLong loaded = new AtomicLong();
    double load = SystemLoad.loadAverage();
    long cpu0 = SystemLoad.processCpuNanos();
    long t0 = System.nanoTime();
    inParallel(batches.size(), () -> {
      BulkLoader loader = new BulkLoader(target, options.batch());
      return i -> {
        LoadResult r = loader.load("batch " + i,
            new ByteArrayInputStream(batches.get(i).body()), new LoadListener() { });
        loaded.addAndGet(r.loaded());
      };
    });
    long nanos = System.nanoTime() - t0;
    Direct d = new Direct(loaded.get(), nanos, SystemLoad.processCpuNanos() - cpu0,
        Math.max(load, SystemLoad.loadAverage()));
    out.printf(Locale.ROOT, "Same bodies through BulkLoader in-process (no HTTP), %d threads:"
            + " %s docs in %s = %,.0f docs/s; process CPU %.1f s (%.0f us per document)%n",
        options.threads(), Timings.count(d.docs()), Timings.seconds(nanos), d.docsPerSecond(),
        d.cpuNanos() / 1e9, d.cpuNanos() / 1e3 / d.docs());
    return d;
  }

  /** Median of prepared {@code _id} lookups of existing documents, nothing being written. */
  private double idleLookup(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LOOKUP_SQL)) {
      int n = 200;
      long[] nanos = new long[n];
      for (int i = -50; i < n; i++) {
        ps.setString(1, String.format(Locale.ROOT, "o-%06d", 1 + Math.floorMod(i * 7919L,
            Math.min(options.docs(), 999_999))));
        long t = System.nanoTime();
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new IllegalStateException("lookup of an acknowledged document found nothing");
          }
        }
        if (i >= 0) {
          nanos[i] = System.nanoTime() - t;
        }
      }
      return Timings.median(nanos);
    }
  }

  /** The last acknowledged batch: its sequence number, last {@code _id} and when the ack came. */
  record Acked(long seq, String id, long ackNanos) {}

  /**
   * Phase 2, one rate: a writer thread posts a batch every {@link #TICK_NANOS} ({@code rate/100}
   * documents each; back to back for rate 0) while this thread polls for the last acknowledged
   * {@code _id} until it is visible, then takes the next one.
   */
  private Latency latency(Poster poster, Connection c, long rate, String idPrefix)
      throws Exception {
    int perBatch = rate == 0 ? MAX_RATE_BATCH : (int) Math.max(1, rate * TICK_NANOS / 1e9);
    long endAt = System.nanoTime() + options.latencySeconds() * 1_000_000_000L;
    AtomicReference<Acked> last = new AtomicReference<>();
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong written = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    BatchSource source = new BatchSource(options.seed() + rate + 1, idPrefix);
    long[] window = new long[2];
    double load = SystemLoad.loadAverage();
    Thread writer = new Thread(() -> {
      try {
        long t0 = System.nanoTime();
        window[0] = t0;
        long seq = 0;
        while (System.nanoTime() < endAt) {
          if (rate > 0) {
            long due = t0 + seq * TICK_NANOS;
            long wait = due - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
          }
          Batch b = source.next(perBatch);
          Ack a = poster.post(b.body());
          long acked = System.nanoTime();
          written.addAndGet(a.written());
          last.set(new Acked(++seq, b.lastId(), acked));
        }
        window[1] = System.nanoTime();
      } catch (Throwable t) {
        failure.set(t);
      } finally {
        done.set(true);
      }
    }, "converge-bench-writer");
    writer.start();

    List<Long> samples = new ArrayList<>();
    long retried = 0;
    long seen = 0;
    try (PreparedStatement ps = c.prepareStatement(LOOKUP_SQL)) {
      while (!done.get()) {
        Acked a = last.get();
        if (a == null || a.seq() == seen) {
          LockSupport.parkNanos(20_000);
          continue;
        }
        seen = a.seq();
        int polls = 0;
        boolean visible = false;
        while (!visible && polls < 100_000) {
          ps.setString(1, a.id());
          try (ResultSet rs = ps.executeQuery()) {
            visible = rs.next();
          }
          polls++;
        }
        if (visible) {
          samples.add(System.nanoTime() - a.ackNanos());
        }
        retried += polls > 1 ? 1 : 0;
      }
    }
    writer.join();
    if (failure.get() != null) {
      throw new IllegalStateException("writer failed: " + failure.get(), failure.get());
    }
    long[] s = samples.stream().mapToLong(Long::longValue).toArray();
    Latency l = new Latency(rate, written.get(), window[1] - window[0], s, retried,
        Math.max(load, SystemLoad.loadAverage()));
    out.printf(Locale.ROOT, "Latency at %s: achieved %,.0f docs/s; ack-to-visible p50 %s, p95"
            + " %s, p99 %s over %,d samples (%,d not visible at the first poll)%n",
        l.rateLabel(), l.achievedRate(), percentile(s, 50), percentile(s, 95),
        percentile(s, 99), s.length, retried);
    warnIfBusy(l.load());
    return l;
  }

  private static String percentile(long[] samples, double p) {
    return samples.length == 0 ? "n/a" : Timings.latency(Timings.percentile(samples, p));
  }

  /** Phase 3: each query's median idle, with a 10k docs/s writer running, and idle after. */
  private List<QueryLoad> queriesUnderIngest(ConvergeServer server, Poster poster)
      throws Exception {
    String[][] queries = {{"needle", NEEDLE_SQL}, {"group by", GROUP_BY_SQL}};
    List<QueryLoad> result = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
      double[] idle = new double[queries.length];
      for (int q = 0; q < queries.length; q++) {
        idle[q] = median(c, queries[q][1], options.warmup());
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong written = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      BatchSource source = new BatchSource(options.seed() + 7, "busy-");
      int perBatch = (int) (QUERY_PHASE_RATE * TICK_NANOS / 1_000_000_000L);
      Thread writer = new Thread(() -> {
        try {
          long t0 = System.nanoTime();
          for (long seq = 0; !stop.get(); seq++) {
            long wait = t0 + seq * TICK_NANOS - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
            written.addAndGet(poster.post(source.next(perBatch).body()).written());
          }
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "converge-bench-busy-writer");
      writer.start();
      double[] busy = new double[queries.length];
      long w0;
      try {
        Thread.sleep(1000); // let the writer reach its rate
        w0 = written.get();
        for (int q = 0; q < queries.length; q++) {
          busy[q] = median(c, queries[q][1], 0);
        }
      } finally {
        stop.set(true);
        writer.join();
      }
      long meanwhile = written.get() - w0;
      if (failure.get() != null) {
        throw new IllegalStateException("writer failed: " + failure.get(), failure.get());
      }
      for (int q = 0; q < queries.length; q++) {
        double after = median(c, queries[q][1], 0);
        QueryLoad ql = new QueryLoad(queries[q][0], queries[q][1], idle[q], busy[q], after,
            meanwhile);
        result.add(ql);
        out.printf(Locale.ROOT, "%s: median idle %s, under %,d docs/s ingest %s (%.2fx), idle"
                + " again after %s%n", ql.name(), Timings.ms(ql.idleNanos()),
            QUERY_PHASE_RATE, Timings.ms(ql.busyNanos()), ql.ratio(),
            Timings.ms(ql.afterNanos()));
      }
      out.printf(Locale.ROOT, "  (%,d documents written while the queries ran)%n", meanwhile);
    }
    return result;
  }

  private double median(Connection c, String sql, int warmup) throws SQLException {
    for (int i = 0; i < warmup; i++) {
      QueryResult.run(c, sql);
    }
    long[] nanos = new long[options.runs()];
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = QueryResult.run(c, sql).nanos();
    }
    return Timings.median(nanos);
  }

  private void warnIfBusy(double load) {
    int cores = Runtime.getRuntime().availableProcessors();
    if (load > cores) {
      err.printf(Locale.ROOT, "WARNING: load average %.1f above %d cores: other processes were"
          + " using the CPUs; figures are pessimistic%n", load, cores);
    }
  }

  private String table(Sustained s, List<Latency> latencies, List<QueryLoad> queries) {
    StringBuilder b = new StringBuilder();
    b.append("| Measure | Result | Target |\n|---|---:|---:|\n");
    b.append(String.format(Locale.ROOT,
        "| Sustained ingest over HTTP, %d client threads, %,d-doc NDJSON batches, every index"
            + " built, WAL-synced before each response | **%,.0f docs/s** | >= 50,000 docs/s |%n",
        options.threads(), options.batch(), s.docsPerSecond()));
    b.append(String.format(Locale.ROOT,
        "| The same bodies through `BulkLoader` in-process (no HTTP), same run, %d threads |"
            + " %,.0f docs/s (HTTP reaches %.0f%%) | |%n",
        options.threads(), direct.docsPerSecond(), 100 * s.docsPerSecond()
            / direct.docsPerSecond()));
    b.append(String.format(Locale.ROOT,
        "| Process CPU per document: over HTTP (server and clients) / in-process | %.0f us / %.0f"
            + " us | |%n", s.cpuNanos() / 1e3 / Math.max(1, s.docs()),
        direct.cpuNanos() / 1e3 / Math.max(1, direct.docs())));
    for (Latency l : latencies) {
      b.append(String.format(Locale.ROOT,
          "| Ack-to-visible at %s (achieved %,.0f docs/s), p50 / p95 / p99 | %s / %s / %s | %s |%n",
          l.rateLabel(), l.achievedRate(), percentile(l.samples(), 50),
          percentile(l.samples(), 95), percentile(l.samples(), 99),
          l.targetRate() == 10_000 ? "p99 < 50 ms" : ""));
    }
    for (QueryLoad q : queries) {
      b.append(String.format(Locale.ROOT,
          "| `%s`: median idle / under %,d docs/s ingest | %s / %s (**%.2fx**) | |%n",
          q.sql(), QUERY_PHASE_RATE, Timings.ms(q.idleNanos()), Timings.ms(q.busyNanos()),
          q.ratio()));
    }
    return b.toString();
  }

  private String markdown(MachineInfo machine, Sustained s, List<Latency> latencies,
      double lookupIdle, List<QueryLoad> queries, String table, List<String> problems) {
    StringBuilder b = new StringBuilder();
    b.append("Command: `bin/converge bench ingest");
    for (String a : options.args()) {
      b.append(' ').append(a);
    }
    b.append("` (run ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(")\n\n");
    b.append("Machine: ").append(machine.describe()).append("\n\n");
    b.append("Server and clients in one JVM on loopback (`ConvergeServer`, fresh data directory);"
        + " writes go through `POST /v1/collections/orders/docs` (NDJSON, `java.net.http`"
        + " clients), reads through the Avatica remote driver (protobuf).\n\n");
    b.append(table).append('\n');
    b.append(String.format(Locale.ROOT,
        "- Sustained: %s sample orders (`SampleData.orders`, seed %d) generated beforehand, not"
            + " timed; warm-up: %s; wall clock from the first request to the last"
            + " acknowledgement, %s; %,d requests; process CPU %.1f s (server and clients; JIT"
            + " compilation meanwhile: %s); machine load average %.1f before, %.1f after."
            + " Segments filled during the run were sealed in the background %s after the last"
            + " acknowledgement (already queryable before that).%n",
        Timings.count(s.docs()), options.seed(), warmUpSummary, Timings.seconds(s.nanos()),
        s.requests(), s.cpuNanos() / 1e9,
        s.jitMillis() < 0 ? "unknown" : Timings.seconds(s.jitMillis() * 1_000_000.0),
        s.loadBefore(), s.loadAfter(), Timings.seconds(s.sealNanos())));
    b.append("- In-process baseline (`BulkLoader`): warm-up ").append(directWarmUpSummary)
        .append(".\n");
    b.append(String.format(Locale.ROOT,
        "- Ack-to-visible: one writer thread posts a batch every %d ms (rate/100 documents;"
            + " back to back for max) for %d s; a reader polls `%s` (PreparedStatement, planned"
            + " once) for the last acknowledged `_id` and records the time from the"
            + " acknowledgement to the first poll that returns it, so every sample includes one"
            + " lookup round trip (median of an idle lookup: %s). Polls that did not see the"
            + " document at once: %s.%n",
        TICK_NANOS / 1_000_000, options.latencySeconds(), LOOKUP_SQL,
        Timings.latency(lookupIdle), retries(latencies)));
    b.append(String.format(Locale.ROOT,
        "- Queries: plain `Statement`s, median of %d runs, idle (after %d warm-up runs) and while"
            + " a writer posts %,d docs/s (%,d documents written while they ran, so the"
            + " collection grows during the busy runs); idle again afterwards: %s.%n",
        options.runs(), options.warmup(), QUERY_PHASE_RATE,
        queries.isEmpty() ? 0 : queries.get(0).writtenMeanwhile(), afterList(queries)));
    b.append("- Wall-clock figures on cores that server and clients share; a load average above"
        + " the core count means other processes competed for them too.\n");
    if (!problems.isEmpty()) {
      b.append("\n**Checks FAILED:**\n\n");
      for (String p : problems) {
        b.append("- ").append(p).append('\n');
      }
    }
    return b.toString();
  }

  private static String retries(List<Latency> latencies) {
    StringBuilder b = new StringBuilder();
    for (Latency l : latencies) {
      b.append(b.length() == 0 ? "" : ", ").append(Timings.count(l.retried())).append(" of ")
          .append(Timings.count(l.samples().length)).append(" at ").append(l.rateLabel());
    }
    return b.toString();
  }

  private static String afterList(List<QueryLoad> queries) {
    StringBuilder b = new StringBuilder();
    for (QueryLoad q : queries) {
      b.append(b.length() == 0 ? "" : ", ").append(q.name()).append(' ')
          .append(Timings.ms(q.afterNanos()));
    }
    return b.toString();
  }
}
