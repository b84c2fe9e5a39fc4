package io.converge.bench;

import io.converge.examples.SampleData;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.tailer.KafkaTailer;
import io.converge.server.tailer.TailSpec;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.write.BulkLoader;
import io.converge.storage.write.LoadListener;
import io.converge.storage.write.LoadResult;
import io.converge.storage.json.JsonText;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code bench kafka}: the Kafka tailer of issue 4 against a real single-node broker on loopback
 * (a child JVM on the same machine), with a server over a fresh data directory:
 * <ol>
 *   <li>sustained ingest: N sample orders are produced to a topic first (not timed), then a tailer
 *       (the one {@code converge server --tail} starts) reads them into a collection with every
 *       index built, each poll one WAL-synced batch with its offsets; docs/s from the tailer's
 *       start until the last record is committed;
 *   <li>produce-to-visible latency: a producer sends sample orders at a fixed rate (default 10k
 *       docs/s, 100 every 10 ms) to a second topic tailed into a second collection, while a reader
 *       polls {@code SELECT _id ... WHERE _id = ?} through the Avatica driver for the last sent
 *       {@code _id}: the time from {@code send()} to the first poll that sees it, p50/p95/p99.
 * </ol>
 */
final class TailerBenchmark {
  static final String HEADING = "Kafka tailer benchmark";
  static final String BULK_TOPIC = "orders-bulk";
  static final String LATENCY_TOPIC = "orders-live";
  static final String BULK_COLLECTION = "orders";
  static final String LATENCY_COLLECTION = "orders_live";
  static final String DIRECT_COLLECTION = "orders_direct";
  /** The untimed warm-up tails this topic into this scratch collection, then drops it. */
  static final String WARMUP_TOPIC = "orders-warmup";
  static final String WARMUP_COLLECTION = "orders_warmup";
  static final long TICK_NANOS = 10_000_000;
  /**
   * The latency producer's {@code linger.ms}: Kafka 4's default, so that each tick's records go
   * out as one request instead of one request per record. The time a record lingers is part of
   * the measured produce-to-visible latency.
   */
  static final int PRODUCER_LINGER_MS = 5;
  static final String LOOKUP_SQL = "select \"_id\" from orders_live where \"_id\" = ?";
  /** Targets of the issue. */
  static final double TARGET_DOCS_PER_SECOND = 50_000;
  static final double TARGET_P99_MS = 250;

  record Options(long docs, int partitions, long rate, int latencySeconds, long seed,
      Path out, boolean help, long warmupDocs, long settleSeconds) {
    static Options parse(String[] args) {
      long docs = 500_000;
      long warmupDocs = -1;
      long settleSeconds = IngestBenchmark.SETTLE_MAX_SECONDS;
      int partitions = 2;
      long rate = 10_000;
      int latencySeconds = 20;
      long seed = SampleData.DEMO_SEED;
      Path out = Path.of("docs", "benchmarks.md");
      OptionArgs it = new OptionArgs(args);
      while (it.next()) {
        String name = it.name();
        String value = it.value();
        switch (name) {
          case "--docs" -> docs = OptionArgs.positive(name, value);
          case "--partitions" -> partitions = (int) OptionArgs.positive(name, value);
          case "--rate" -> rate = OptionArgs.positive(name, value);
          case "--latency-seconds" -> latencySeconds = (int) OptionArgs.positive(name, value);
          case "--seed" -> seed = OptionArgs.number(name, value);
          case "--out" -> out = value.equals("none") ? null : Path.of(value);
          case "--warmup-docs" -> warmupDocs = OptionArgs.nonNegative(name, value);
          case "--settle-seconds" -> settleSeconds = OptionArgs.nonNegative(name, value);
          default -> throw it.unknown();
        }
      }
      return new Options(docs, partitions, rate, latencySeconds, seed, out, it.help(),
          warmupDocs >= 0 ? warmupDocs : docs, settleSeconds);
    }
  }

  record Sustained(long docs, long batches, long nanos, long cpuNanos, double loadBefore,
      double loadAfter, long produceNanos) {
    double docsPerSecond() {
      return docs / (nanos / 1e9);
    }
  }

  /** The same documents through {@code BulkLoader} (the path of {@code converge load}). */
  record Direct(long docs, long nanos, double load) {
    double docsPerSecond() {
      return docs / (nanos / 1e9);
    }
  }

  /** {@code behind}: records sent but not yet committed when the producer stopped. */
  record Latency(long sent, long nanos, long[] samples, double load, long behind,
      long[] commits) {
    double achievedRate() {
      return sent / (nanos / 1e9);
    }
  }

  private final Options options;
  private final PrintStream out;
  private final PrintStream err;
  /** What the warm-up did, for the report. */
  private String warmUpSummary = "none";

  TailerBenchmark(Options options, PrintStream out, PrintStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  boolean run() throws Exception {
    MachineInfo machine = MachineInfo.current();
    out.printf(Locale.ROOT, "Kafka tailer benchmark: %s orders over %d partitions, then"
            + " produce-to-visible latency at %,d docs/s for %d s%n", Timings.count(options.docs()),
        options.partitions(), options.rate(), options.latencySeconds());
    out.println("Machine: " + machine.describe());
    Path work = Files.createTempDirectory("converge-kafka-bench-");
    List<String> problems = new ArrayList<>();
    // a broker that carries the whole benchmark's traffic: a larger heap and the full JIT
    LocalKafkaBroker.Options brokerOptions = LocalKafkaBroker.Options.defaults()
        .jvmOptions(List.of("-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
    try (LocalKafkaBroker kafka = LocalKafkaBroker.start(work, brokerOptions)) {
      out.println("Kafka broker (child JVM): " + kafka.bootstrap());
      kafka.createTopic(BULK_TOPIC, options.partitions());
      kafka.createTopic(LATENCY_TOPIC, 1);
      kafka.createTopic(WARMUP_TOPIC, options.partitions());
      long produceNanos = produceAll(kafka, BULK_TOPIC, options.docs(), options.seed());
      produceAll(kafka, WARMUP_TOPIC, options.warmupDocs(), options.seed() + 1);
      Path dataDir = work.resolve("data");
      Files.createDirectories(dataDir);
      ConvergeServer server = ConvergeServer.start(
          new ServerOptions(dataDir, ServerOptions.DEFAULT_HOST, 0, ServerOptions.PROTOBUF));
      try {
        server.warmUp();
        warmUp(server, kafka);
        Sustained s = sustained(server, kafka, produceNanos);
        long count = server.store().collection(BULK_COLLECTION).documentCount();
        if (s.docs != options.docs() || count != options.docs()) {
          problems.add("the tailer committed " + s.docs + " records and the collection holds "
              + count + "; expected " + options.docs());
        }
        Direct d = direct(server);
        Latency l = latency(server, kafka);
        if (l.samples.length == 0) {
          problems.add("the latency run took no sample");
        }
        String table = table(s, d, l);
        out.println();
        out.print(table);
        for (String p : problems) {
          err.println("CHECK FAILED: " + p);
        }
        if (options.out() != null) {
          MarkdownSection.write(options.out(), HEADING, markdown(machine, s, d, l, table,
              problems));
          out.println("Wrote section '" + HEADING + "' of " + options.out());
        }
      } finally {
        server.stop();
      }
    } finally {
      FoundationBenchmark.deleteTree(work);
    }
    return problems.isEmpty();
  }

  /** Produces {@code count} sample orders to {@code topic}, keyed by nothing (their _id is inside). */
  /** A producer of raw bytes (idempotent, acks=all) batching up to {@code lingerMs}. */
  private static KafkaProducer<byte[], byte[]> producer(LocalKafkaBroker kafka, int lingerMs) {
    return kafka.producer(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 256 << 10,
        ProducerConfig.LINGER_MS_CONFIG, lingerMs));
  }

  private long produceAll(LocalKafkaBroker kafka, String topic, long count, long seed)
      throws Exception {
    long t0 = System.nanoTime();
    Iterator<Map<String, Object>> docs = SampleData.orders(count, seed);
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka, 20)) {
      long n = 0;
      while (docs.hasNext()) {
        byte[] value = JsonText.write(docs.next()).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, (int) (n++ % options.partitions()), null,
            value));
      }
      producer.flush();
    }
    long nanos = System.nanoTime() - t0;
    out.printf(Locale.ROOT, "Produced %s orders to %s in %s (not timed)%n",
        Timings.count(count), topic, Timings.seconds(nanos));
    return nanos;
  }

  /**
   * Tails the warm-up topic into a scratch collection, drops it and settles ({@link SteadyState}),
   * so that the timed phase pays neither for the JIT compilation of the tailer's path nor for the
   * warm-up's leftovers.
   */
  private void warmUp(ConvergeServer server, LocalKafkaBroker kafka) throws Exception {
    if (options.warmupDocs() == 0) {
      return; // the report says "none"
    }
    long t0 = System.nanoTime();
    long jit0 = SteadyState.compilationMillis();
    try (KafkaTailer tailer = KafkaTailer.start(server.store(), kafka.bootstrap(),
        new TailSpec(WARMUP_TOPIC, WARMUP_COLLECTION), new Properties())) {
      if (!tailer.awaitRecords(options.warmupDocs(), Duration.ofMinutes(10))) {
        throw new IllegalStateException("the warm-up tailer committed " + tailer.counts().records()
            + " of " + options.warmupDocs() + " records" + (tailer.isRunning() ? ""
            : " and stopped: " + tailer.failure()));
      }
    }
    server.store().awaitSealed();
    server.store().drop(WARMUP_COLLECTION);
    long jitMillis = SteadyState.compilationMillis() - jit0;
    String settled = SteadyState.settle(server.store(), options.settleSeconds());
    warmUpSummary = String.format(Locale.ROOT, "%s other orders tailed from another topic into a"
            + " scratch collection, dropped (%s, not timed; JIT compilation meanwhile %s); then %s",
        Timings.count(options.warmupDocs()), Timings.seconds(System.nanoTime() - t0),
        jitMillis < 0 ? "unknown" : Timings.seconds(jitMillis * 1_000_000.0), settled);
    out.println("Warm-up: " + warmUpSummary);
  }

  private Sustained sustained(ConvergeServer server, LocalKafkaBroker kafka, long produceNanos)
      throws Exception {
    double loadBefore = SystemLoad.loadAverage();
    long cpu0 = SystemLoad.processCpuNanos();
    long t0 = System.nanoTime();
    try (KafkaTailer tailer = KafkaTailer.start(server.store(), kafka.bootstrap(),
        new TailSpec(BULK_TOPIC, BULK_COLLECTION), new Properties())) {
      long step = Math.max(1, options.docs() / 10);
      long next = step;
      while (tailer.counts().records() < options.docs()) {
        if (!tailer.isRunning()) {
          throw new IllegalStateException("the tailer stopped: " + tailer.failure());
        }
        long committed = tailer.counts().records();
        if (committed >= next) {
          double sec = (System.nanoTime() - t0) / 1e9;
          err.printf(Locale.ROOT, "  %,d docs committed (%,.0f docs/s)%n", committed,
              committed / sec);
          while (next <= committed) {
            next += step;
          }
        }
        LockSupport.parkNanos(1_000_000);
      }
      long nanos = System.nanoTime() - t0;
      long cpu = SystemLoad.processCpuNanos() - cpu0;
      Sustained s = new Sustained(tailer.counts().upserts(), tailer.counts().batches(), nanos, cpu,
          loadBefore, SystemLoad.loadAverage(), produceNanos);
      out.printf(Locale.ROOT, "Sustained tailer ingest: %s docs in %s = %,.0f docs/s (%,d batches,"
              + " %,.0f docs per batch); server process CPU %.1f s; load average %.1f before,"
              + " %.1f after%n", Timings.count(s.docs), Timings.seconds(nanos),
          s.docsPerSecond(), s.batches, (double) s.docs / Math.max(1, s.batches), cpu / 1e9,
          loadBefore, s.loadAfter);
      return s;
    }
  }

  /** The last sent document of the latency producer and when {@code send()} was called. */
  record Sent(long seq, String id, long sentNanos) {}

  private Latency latency(ConvergeServer server, LocalKafkaBroker kafka) throws Exception {
    int perTick = (int) Math.max(1, options.rate() * TICK_NANOS / 1_000_000_000L);
    AtomicReference<Sent> last = new AtomicReference<>();
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong sent = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong behindAtEnd = new AtomicLong();
    long warmupNanos = 3_000_000_000L;
    long[] window = new long[2];
    double load = SystemLoad.loadAverage();
    try (KafkaTailer tailer = KafkaTailer.start(server.store(), kafka.bootstrap(),
        new TailSpec(LATENCY_TOPIC, LATENCY_COLLECTION), new Properties());
        Connection c = DriverManager.getConnection(server.jdbcUrl());
        PreparedStatement ps = c.prepareStatement(LOOKUP_SQL)) {
      // Compile the lookup before the clock starts (seconds on a busy machine).
      ps.setString(1, "warm-up");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
      }
      Thread producerThread = new Thread(() -> {
        Iterator<Map<String, Object>> docs =
            SampleData.orders(Long.MAX_VALUE / 2, options.seed() + 1);
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka, PRODUCER_LINGER_MS)) {
          long t0 = System.nanoTime();
          long endAt = t0 + warmupNanos + options.latencySeconds() * 1_000_000_000L;
          window[0] = t0;
          long seq = 0;
          long tick = 0;
          while (System.nanoTime() < endAt) {
            long wait = t0 + tick * TICK_NANOS - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
            tick++;
            String id = null;
            for (int i = 0; i < perTick; i++) {
              Map<String, Object> d = docs.next();
              id = "live-" + (++seq);
              d.put("_id", id);
              d.put("produced_at", System.currentTimeMillis());
              producer.send(new ProducerRecord<>(LATENCY_TOPIC,
                  JsonText.write(d).getBytes(StandardCharsets.UTF_8)));
            }
            last.set(new Sent(seq, id, System.nanoTime()));
            sent.addAndGet(perTick);
          }
          window[1] = System.nanoTime();
          behindAtEnd.set(sent.get() - tailer.counts().records());
        } catch (Throwable t) {
          failure.set(t);
        } finally {
          done.set(true);
        }
      }, "converge-bench-producer");
      producerThread.start();
      List<Long> samples = new ArrayList<>();
      long gaveUp = 0;
      List<Long> commits = new ArrayList<>();
      long measureFrom = System.nanoTime() + warmupNanos;
      {
        long seen = 0;
        while (!done.get()) {
          Sent s = last.get();
          if (s == null || s.seq() == seen) {
            LockSupport.parkNanos(20_000);
            continue;
          }
          seen = s.seq();
          boolean visible = false;
          long giveUp = System.nanoTime() + 30_000_000_000L;
          // first the tailer's commit of that record (its counts move after the RocksDB write)
          while (tailer.counts().records() < s.seq() && System.nanoTime() < giveUp) {
            LockSupport.parkNanos(200_000);
          }
          long committedAt = System.nanoTime();
          while (!visible && System.nanoTime() < giveUp) {
            ps.setString(1, s.id());
            try (ResultSet rs = ps.executeQuery()) {
              visible = rs.next();
            }
            if (!visible) {
              // not a busy loop: on 2 cores a reader spinning on lookups starves the tailer
              LockSupport.parkNanos(1_000_000);
            }
          }
          if (!visible) {
            gaveUp++;
          }
          if (visible && s.sentNanos() >= measureFrom) {
            samples.add(System.nanoTime() - s.sentNanos());
            commits.add(committedAt - s.sentNanos());
          }
        }
      }
      producerThread.join();
      long behind = behindAtEnd.get();
      err.printf(Locale.ROOT, "  latency phase: %,d sent, %,d committed by the tailer, %,d samples,"
          + " %,d lookups gave up%n", sent.get(), tailer.counts().records(), samples.size(),
          gaveUp);
      if (failure.get() != null) {
        throw new IllegalStateException("producer failed: " + failure.get(), failure.get());
      }
      tailer.awaitRecords(sent.get(), Duration.ofSeconds(60));
      long[] s = samples.stream().mapToLong(Long::longValue).toArray();
      long[] cs = commits.stream().mapToLong(Long::longValue).toArray();
      Latency l = new Latency(sent.get(), window[1] - window[0], s,
          Math.max(load, SystemLoad.loadAverage()), behind, cs);
      if (s.length > 0) {
        out.printf(Locale.ROOT, "Produce-to-visible at %,.0f docs/s achieved: p50 %s, p95 %s, p99"
                + " %s, max %s (%,d samples after %d s of warm-up)%n", l.achievedRate(),
            Timings.latency(Timings.percentile(s, 50)), Timings.latency(Timings.percentile(s, 95)),
            Timings.latency(Timings.percentile(s, 99)), Timings.latency(Timings.percentile(s, 100)),
            s.length, warmupNanos / 1_000_000_000L);
      }
      return l;
    }
  }

  /**
   * The same orders as NDJSON through {@link BulkLoader} into another collection of the same
   * store: what the tailer's path costs against the bulk-load path, under the same machine load.
   */
  private Direct direct(ConvergeServer server) throws Exception {
    StringWriter w = new StringWriter();
    SampleData.writeNdjson(w, SampleData.orders(options.docs(), options.seed()));
    byte[] ndjson = w.toString().getBytes(StandardCharsets.UTF_8);
    ConvergeCollection target = server.store().getOrCreate(DIRECT_COLLECTION);
    double load = SystemLoad.loadAverage();
    long t0 = System.nanoTime();
    LoadResult r = new BulkLoader(target).load("orders", new ByteArrayInputStream(ndjson),
        new LoadListener() { });
    long nanos = System.nanoTime() - t0;
    Direct d = new Direct(r.loaded(), nanos, Math.max(load, SystemLoad.loadAverage()));
    out.printf(Locale.ROOT, "Same orders through BulkLoader in-process (converge load's path): %s"
            + " docs in %s = %,.0f docs/s; load average %.1f%n", Timings.count(d.docs()),
        Timings.seconds(nanos), d.docsPerSecond(), d.load());
    return d;
  }

  private String table(Sustained s, Direct d, Latency l) {
    StringBuilder b = new StringBuilder();
    b.append("| measure | result | target (issue 4) |\n|---|---:|---:|\n");
    b.append(String.format(Locale.ROOT, "| sustained tailer ingest, %s sample orders, %d partitions,"
            + " every index built, one WAL-synced batch (+ offsets) per poll | %,.0f docs/s"
            + " (%s, %,d batches) | >= %,.0f docs/s |\n", Timings.count(s.docs),
        options.partitions(), s.docsPerSecond(), Timings.seconds(s.nanos), s.batches,
        TARGET_DOCS_PER_SECOND));
    b.append(String.format(Locale.ROOT, "| the same orders through `BulkLoader` in-process (the path"
            + " of `converge load`), same run | %,.0f docs/s (%s) | |\n", d.docsPerSecond(),
        Timings.seconds(d.nanos())));
    if (l.samples.length > 0) {
      long[] x = l.samples;
      b.append(String.format(Locale.ROOT, "| produce-to-visible (`send()` to a `_id = ?` poll that"
              + " sees it, Avatica), %,.0f docs/s achieved: p50 / p95 / p99 (%,d samples) | %s /"
              + " %s / %s | p99 < %.0f ms |\n", l.achievedRate(), x.length,
          Timings.latency(Timings.percentile(x, 50)), Timings.latency(Timings.percentile(x, 95)),
          Timings.latency(Timings.percentile(x, 99)), TARGET_P99_MS));
      b.append(String.format(Locale.ROOT, "| of which `send()` to the tailer's commit of the"
              + " record: p50 / p95 / p99 | %s / %s / %s | |\n",
          Timings.latency(Timings.percentile(l.commits(), 50)),
          Timings.latency(Timings.percentile(l.commits(), 95)),
          Timings.latency(Timings.percentile(l.commits(), 99))));
      b.append(String.format(Locale.ROOT, "| records the tailer was behind when the producer"
          + " stopped | %,d of %,d | 0 |\n", l.behind(), l.sent()));
    }
    return b.toString();
  }

  private String markdown(MachineInfo machine, Sustained s, Direct d, Latency l, String table,
      List<String> problems) {
    StringBuilder b = new StringBuilder();
    b.append("`bin/converge bench kafka");
    b.append(String.format(Locale.ROOT, " --docs %d --partitions %d --rate %d --latency-seconds %d",
        options.docs(), options.partitions(), options.rate(), options.latencySeconds()));
    b.append("`\n\n");
    b.append("Machine: ").append(machine.describe()).append(". The Kafka broker (KRaft, single"
        + " node, a child JVM), the producer, the server with its tailer and the JDBC reader all"
        + " share these cores.");
    b.append(String.format(Locale.ROOT, " Load average during the run (other engineers' builds"
            + " and tests were running too): %.1f / %.1f at the start / end of the sustained"
            + " phase, %.1f in the BulkLoader phase, %.1f in the latency phase.\n\n",
        s.loadBefore(), s.loadAfter(), d.load(), l.load()));
    b.append(table);
    b.append("\nSustained: the orders are produced first (not timed); warm-up: ")
        .append(warmUpSummary).append("; the figure runs from the"
        + " tailer's start (consumer connect included) to the commit of the last record."
        + " Latency: 100 documents every 10 ms (producer `linger.ms` " + PRODUCER_LINGER_MS
        + "), the reader polls the last sent `_id` until it is"
        + " visible (1 ms between polls), then takes the next one; the first 3 s are not"
        + " sampled.\n");
    if (!problems.isEmpty()) {
      b.append("\nChecks that failed:\n");
      for (String p : problems) {
        b.append("- ").append(p).append('\n');
      }
    }
    return b.toString();
  }
}
