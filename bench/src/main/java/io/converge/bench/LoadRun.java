package io.converge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A concurrency load test against a running server: {@code clients} JDBC connections (the
 * Avatica remote driver) run a mix of needle ({@code WHERE "user" = ?}, 0.1% of the documents),
 * aggregate ({@code GROUP BY kind}) and {@code _id} lookup queries for a fixed time while one
 * writer posts new documents through the HTTP API at a fixed rate. Every answer is checked:
 * a lookup of an acknowledged {@code _id} finds it, a count never misses an acknowledged write
 * nor sees more than was sent; any failure or wrong answer is an error. At the end the
 * collection's count and one needle's count must equal what was written.
 *
 * <p>Documents: {@code _id} {@code e<n>}, {@code user} {@code u<n % 1000>}, {@code kind}
 * {@code k<n % 8>}, {@code amount} and {@code n}; the first {@code docs} are loaded (through the
 * same API, as fast as the server takes them) before the clock starts.
 */
public final class LoadRun {
  /** Query kinds of the mix. */
  public enum Kind { NEEDLE, AGGREGATE, LOOKUP }

  static final String NEEDLE_SQL =
      "select \"_id\", amount, kind from %s where \"user\" = ?";
  static final String AGGREGATE_SQL =
      "select kind, count(*) as c, sum(amount) as s from %s group by kind";
  static final String LOOKUP_SQL = "select \"_id\", amount from %s where \"_id\" = ?";
  static final int USERS = 1000;
  static final int KINDS = 8;
  static final long TICK_NANOS = 10_000_000;

  /**
   * @param jdbcUrl the server's Avatica URL
   * @param apiUrl the server's HTTP API base ({@code http://host:port/v1})
   * @param collection written and queried (created by the first write)
   * @param clients concurrent query connections
   * @param seconds how long the mix runs
   * @param rate documents per second the writer posts during the mix (0: no ingest)
   * @param docs documents loaded before the mix
   */
  public record Config(String jdbcUrl, String apiUrl, String collection, int clients,
      long seconds, long rate, long docs) {}

  /** Latencies and counts of one kind. */
  public record KindResult(Kind kind, long queries, long errors, double p50Millis,
      double p99Millis, double perSecond) {}

  /**
   * What a run measured.
   *
   * @param written documents acknowledged by the writer during the mix
   * @param expectedCount documents the collection must hold (loaded + written)
   * @param finalCount what {@code count(*)} answered after the writer stopped
   * @param needleExpected / needleFinal the same for one needle value
   * @param errorSamples the first few error messages
   */
  public record Result(Map<Kind, KindResult> kinds, long queries, long errors, double seconds,
      long written, double writtenPerSecond, long ingestErrors, long expectedCount,
      long finalCount, long needleExpected, long needleFinal, List<String> errorSamples) {
    public double queriesPerSecond() {
      return queries / seconds;
    }

    public boolean countsMatch() {
      return expectedCount == finalCount && needleExpected == needleFinal;
    }

    public long allErrors() {
      return errors + ingestErrors;
    }
  }

  private final Config config;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  /** Documents acknowledged so far: ids {@code e0 .. e(acked-1)} exist. */
  private final AtomicLong acked = new AtomicLong();
  /** Documents sent so far (acknowledged or in flight). */
  private final AtomicLong sent = new AtomicLong();
  private final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
  private final AtomicLong errorCount = new AtomicLong();

  public LoadRun(Config config) {
    this.config = config;
  }

  /** Continues the document numbering of an earlier run on the same collection. */
  public void continueFrom(LoadRun earlier) {
    acked.set(earlier.acked.get());
    sent.set(earlier.sent.get());
  }

  /** Loads {@code docs} documents (not timed). */
  public void load() throws IOException, InterruptedException {
    long n = acked.get();
    while (n < config.docs()) {
      int size = (int) Math.min(2000, config.docs() - n);
      post(n, size);
      n += size;
      sent.set(n);
      acked.set(n);
    }
  }

  /** Runs the mix for {@code seconds} with the writer at {@code rate}, then checks the counts. */
  public Result run() throws Exception {
    return run(config.rate());
  }

  /** The same mix with the writer at {@code rate} (0: idle server). */
  public Result run(long rate) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(config.clients() + 1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ingestErrors = new AtomicLong();
    // Clients connect, prepare and run each query once (untimed: the first execution of a shape
    // compiles it) before the clock starts; the writer starts with the clock.
    CountDownLatch ready = new CountDownLatch(config.clients());
    CountDownLatch go = new CountDownLatch(1);
    AtomicLong end = new AtomicLong();
    List<Future<long[][]>> clients = new ArrayList<>();
    for (int c = 0; c < config.clients(); c++) {
      int client = c;
      clients.add(pool.submit(() -> query(client, ready, go, end, stop)));
    }
    if (!ready.await(10, TimeUnit.MINUTES)) {
      stop.set(true);
      go.countDown();
      throw new IllegalStateException("the clients did not get ready within 10 minutes");
    }
    long startAcked = acked.get();
    long t0 = System.nanoTime();
    end.set(t0 + TimeUnit.SECONDS.toNanos(config.seconds()));
    go.countDown();
    Future<?> writer = rate > 0 ? pool.submit(() -> write(rate, end.get(), stop, ingestErrors))
        : null;
    Map<Kind, List<long[]>> latencies = new EnumMap<>(Kind.class);
    long[] errorsByKind = new long[Kind.values().length];
    for (Future<long[][]> f : clients) {
      long[][] r = f.get();
      for (Kind k : Kind.values()) {
        latencies.computeIfAbsent(k, x -> new ArrayList<>()).add(r[k.ordinal()]);
        errorsByKind[k.ordinal()] += r[Kind.values().length][k.ordinal()];
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    stop.set(true);
    if (writer != null) {
      writer.get();
    }
    pool.shutdown();
    pool.awaitTermination(60, TimeUnit.SECONDS);
    long written = acked.get() - startAcked;

    Map<Kind, KindResult> kinds = new EnumMap<>(Kind.class);
    long queries = 0;
    long errors = 0;
    for (Kind k : Kind.values()) {
      long[] all = concat(latencies.get(k));
      Arrays.sort(all);
      queries += all.length;
      errors += errorsByKind[k.ordinal()];
      kinds.put(k, new KindResult(k, all.length, errorsByKind[k.ordinal()],
          percentile(all, 0.50), percentile(all, 0.99), all.length / seconds));
    }
    long expected = acked.get();
    long needleUser = 7;
    long needleExpected = expected / USERS + (expected % USERS > needleUser ? 1 : 0);
    long finalCount;
    long needleFinal;
    try (Connection c = DriverManager.getConnection(config.jdbcUrl());
        Statement s = c.createStatement()) {
      finalCount = single(s, "select count(*) from " + config.collection());
      needleFinal = single(s, "select count(*) from " + config.collection()
          + " where \"user\" = 'u" + needleUser + "'");
    }
    List<String> samples = new ArrayList<>(errorSamples);
    return new Result(kinds, queries, errors, seconds, written, written / seconds,
        ingestErrors.get(), expected, finalCount, needleExpected, needleFinal,
        samples.subList(0, Math.min(5, samples.size())));
  }

  private static long single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** One client: its latencies per kind (nanoseconds) and, last, its error count per kind. */
  private long[][] query(int client, CountDownLatch ready, CountDownLatch go, AtomicLong endAt,
      AtomicBoolean stop) {
    int kinds = Kind.values().length;
    long[][] lat = new long[kinds][];
    int[] n = new int[kinds];
    for (int k = 0; k < kinds; k++) {
      lat[k] = new long[1024];
    }
    long[] errors = new long[kinds];
    SplittableRandom random = new SplittableRandom(client * 7919L + 17);
    String coll = config.collection();
    boolean counted = false;
    try (Connection c = DriverManager.getConnection(config.jdbcUrl());
        PreparedStatement needle = c.prepareStatement(String.format(NEEDLE_SQL, coll));
        PreparedStatement lookup = c.prepareStatement(String.format(LOOKUP_SQL, coll));
        Statement plain = c.createStatement()) {
      String aggregateSql = String.format(AGGREGATE_SQL, coll);
      for (Kind kind : Kind.values()) {
        run(kind, needle, plain, aggregateSql, lookup, random); // warm-up, untimed
      }
      ready.countDown();
      counted = true;
      go.await();
      long end = endAt.get();
      int i = client;
      while (!stop.get() && System.nanoTime() < end) {
        Kind kind = Kind.values()[i++ % kinds];
        long t = System.nanoTime();
        try {
          run(kind, needle, plain, aggregateSql, lookup, random);
        } catch (Exception | AssertionError e) {
          errors[kind.ordinal()]++;
          error(kind + ": " + e);
          continue;
        }
        long took = System.nanoTime() - t;
        int k = kind.ordinal();
        if (n[k] == lat[k].length) {
          lat[k] = Arrays.copyOf(lat[k], n[k] * 2);
        }
        lat[k][n[k]++] = took;
      }
    } catch (SQLException | RuntimeException | AssertionError e) {
      errors[0]++;
      error("client " + client + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!counted) {
        ready.countDown();
      }
    }
    long[][] out = new long[kinds + 1][];
    for (int k = 0; k < kinds; k++) {
      out[k] = Arrays.copyOf(lat[k], n[k]);
    }
    out[kinds] = errors;
    return out;
  }

  private void run(Kind kind, PreparedStatement needle, Statement plain, String aggregateSql,
      PreparedStatement lookup, SplittableRandom random) throws SQLException {
    switch (kind) {
      case NEEDLE -> needle(needle, random);
      case AGGREGATE -> aggregate(plain, aggregateSql);
      case LOOKUP -> lookup(lookup, random);
    }
  }

  private void needle(PreparedStatement ps, SplittableRandom random) throws SQLException {
    long seenBefore = acked.get();
    int user = random.nextInt(USERS);
    ps.setString(1, "u" + user);
    long rows = 0;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows++;
      }
    }
    long sentAfter = sent.get();
    long min = seenBefore / USERS + (seenBefore % USERS > user ? 1 : 0);
    long max = sentAfter / USERS + (sentAfter % USERS > user ? 1 : 0);
    if (rows < min || rows > max) {
      throw new AssertionError("needle u" + user + " returned " + rows + " rows, expected "
          + min + ".." + max);
    }
  }

  private void aggregate(Statement s, String sql) throws SQLException {
    long seenBefore = acked.get();
    long total = 0;
    int groups = 0;
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        total += rs.getLong(2);
        groups++;
      }
    }
    long sentAfter = sent.get();
    if (total < seenBefore || total > sentAfter || groups > KINDS) {
      throw new AssertionError("group by counted " + total + " documents in " + groups
          + " groups, expected " + seenBefore + ".." + sentAfter + " in at most " + KINDS);
    }
  }

  private void lookup(PreparedStatement ps, SplittableRandom random) throws SQLException {
    long known = acked.get();
    if (known == 0) {
      return;
    }
    long n = random.nextLong(known);
    ps.setString(1, "e" + n);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new AssertionError("acknowledged _id e" + n + " not found");
      }
      if (rs.next()) {
        throw new AssertionError("_id e" + n + " found twice");
      }
    }
  }

  /**
   * Posts {@code rate} documents a second until {@code end}: every tick, the documents due by
   * then (at most half a second's worth per request); a writer that falls behind catches
   * up as fast as the server acknowledges.
   */
  private Void write(long rate, long end, AtomicBoolean stop, AtomicLong ingestErrors) {
    long start = System.nanoTime();
    long posted = 0;
    long maxBatch = Math.max(1, rate / 2);
    while (!stop.get()) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      long due = (long) (rate * ((now - start) / 1e9)) - posted;
      if (due <= 0) {
        LockSupport.parkNanos(TICK_NANOS);
        continue;
      }
      int size = (int) Math.min(due, maxBatch);
      long first = acked.get();
      sent.set(first + size);
      try {
        post(first, size);
        acked.set(first + size);
        posted += size;
      } catch (Exception e) {
        ingestErrors.incrementAndGet();
        error("ingest: " + e);
        sent.set(first);
        LockSupport.parkNanos(TICK_NANOS);
      }
    }
    return null;
  }

  /** Posts documents {@code e<first> .. e<first+size-1>}; throws unless all were written. */
  private void post(long first, int size) throws IOException, InterruptedException {
    StringBuilder b = new StringBuilder(size * 96);
    for (long n = first; n < first + size; n++) {
      b.append("{\"_id\":\"e").append(n).append("\",\"user\":\"u").append(n % USERS)
          .append("\",\"kind\":\"k").append(n % KINDS).append("\",\"amount\":")
          .append((n % 10_000) / 100.0).append(",\"n\":").append(n).append("}\n");
    }
    URI uri = URI.create(config.apiUrl() + "/collections/" + config.collection() + "/docs");
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/x-ndjson").timeout(Duration.ofSeconds(120))
        .POST(HttpRequest.BodyPublishers.ofString(b.toString(), StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IOException("POST answered " + r.statusCode() + ": "
          + new String(r.body(), StandardCharsets.UTF_8));
    }
    JsonNode n = json.readTree(r.body());
    if (n.path("written").asLong() != size || n.path("errors").asLong() != 0) {
      throw new IOException("POST wrote " + n.path("written") + " of " + size + " with "
          + n.path("errors") + " errors");
    }
  }

  private void error(String message) {
    if (errorCount.incrementAndGet() <= 20) {
      errorSamples.add(message);
    }
  }

  private static long[] concat(List<long[]> parts) {
    int total = 0;
    for (long[] p : parts) {
      total += p.length;
    }
    long[] all = new long[total];
    int at = 0;
    for (long[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /** Nearest-rank percentile of sorted nanoseconds, in milliseconds (NaN when empty). */
  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
  }

  /** One line per kind plus totals, for logs and the benchmark report. */
  public static List<String> describe(Result r) {
    List<String> lines = new ArrayList<>();
    for (KindResult k : r.kinds().values()) {
      lines.add(String.format(java.util.Locale.ROOT,
          "%-9s %7d queries  %8.1f q/s  p50 %7.2f ms  p99 %8.2f ms  errors %d",
          k.kind().name().toLowerCase(java.util.Locale.ROOT), k.queries(), k.perSecond(),
          k.p50Millis(), k.p99Millis(), k.errors()));
    }
    lines.add(String.format(java.util.Locale.ROOT,
        "total     %7d queries  %8.1f q/s over %.1f s; errors %d (ingest %d)", r.queries(),
        r.queriesPerSecond(), r.seconds(), r.errors(), r.ingestErrors()));
    lines.add(String.format(java.util.Locale.ROOT,
        "ingest    %d documents acknowledged, %.0f docs/s; final count %d (expected %d), "
            + "needle count %d (expected %d): %s", r.written(), r.writtenPerSecond(),
        r.finalCount(), r.expectedCount(), r.needleFinal(), r.needleExpected(),
        r.countsMatch() ? "match" : "MISMATCH"));
    for (String e : r.errorSamples()) {
      lines.add("error: " + e);
    }
    return Collections.unmodifiableList(lines);
  }
}
