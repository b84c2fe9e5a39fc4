package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.storage.CollectionSnapshot;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.index.TailSegment;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of the HTTP write path: a {@code converge server} child process takes upserts and
 * deletes from several concurrent HTTP clients and is killed with SIGKILL at a random moment,
 * again and again, on the same data directory. After every kill:
 * <ul>
 *   <li>every acknowledged write is there: each document holds exactly its latest acknowledged
 *       version (compared whole), deleted ones are absent; a request that was in flight when the
 *       process died may have been applied or not, but only as a whole (one atomic batch);
 *   <li>{@code converge check} finds the row store, pk, live bitmaps, column segments and inverted
 *       index consistent.
 * </ul>
 * Every other kill is verified offline (the directory opened in this JVM: the store's crash
 * recovery, then {@code check}), the others online through the restarted server's SQL.
 *
 * <p>CI: 3 kills. Soak: {@code -Dconverge.soak=true} (20 kills; {@code -Dconverge.crash.kills=N}
 * for another number). The seed ({@code -Dconverge.crash.seed}) picks documents, operations and
 * kill moments; it is printed. Thread timing still varies from run to run.
 */
@Tag("slow")
class CrashSafetyTest {
  static final boolean SOAK = Boolean.getBoolean("converge.soak");
  static final int KILLS = Integer.getInteger("converge.crash.kills", SOAK ? 20 : 3);
  static final long SEED = Long.getLong("converge.crash.seed", 20261125L);
  static final int WRITERS = 4;
  static final int IDS_PER_WRITER = 250;
  static final String COLLECTION = "crash";
  static final ObjectMapper JSON = new ObjectMapper();
  static final long ABSENT = 0;
  static final Duration WAIT = Duration.ofSeconds(60);
  /**
   * Documents written before the first start (ids {@code f0...}, never touched again): they fill
   * the first column segment but for 300 rows, so the writers' first round seals it in the
   * background (column keys and postings that {@code check} then verifies) while kills land.
   */
  static final int FILLER = TailSegment.SEGMENT_ROWS - 300;

  /** What the test knows about the documents of one writer (it alone writes its ids). */
  static final class WriterModel {
    final int writer;
    /** Latest acknowledged state of each id: a version (> 0) or {@link #ABSENT}. */
    final long[] acked = new long[IDS_PER_WRITER];
    /** Last version handed out per id (versions only grow). */
    final long[] issued = new long[IDS_PER_WRITER];
    /** The request that got no answer (the process died): index -> the state it would set. */
    final Map<Integer, Long> inFlight = new LinkedHashMap<>();
    final Random random;
    long ackedUpserts;
    long ackedDeletes;

    WriterModel(int writer, long seed) {
      this.writer = writer;
      this.random = new Random(seed);
    }

    String id(int index) {
      return "w" + writer + "-" + index;
    }
  }

  /** The document of version {@code v} of {@code id}: derived from both, so equal means same. */
  static Map<String, Object> document(String id, long v) {
    Random r = new Random(id.hashCode() * 1_000_003L + v);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", id);
    d.put("v", v);
    d.put("s", text(r));
    d.put("n", r.nextLong());
    d.put("x", r.nextDouble() * 1e6 - 5e5);
    d.put("flag", r.nextBoolean());
    d.put("kind", "k" + r.nextInt(5));
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("k", "m" + r.nextInt(20));
    meta.put("deep", Map.of("level", (long) r.nextInt(3)));
    d.put("meta", meta);
    List<Object> tags = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      tags.add("t" + r.nextInt(10));
    }
    d.put("tags", tags);
    return d;
  }

  private static final String ALPHABET = "abcxyz019 _-é日本語\u00e4\u00df\u03a9";

  static String text(Random r) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(40); i > 0; i--) {
      if (r.nextInt(30) == 0) {
        sb.appendCodePoint(0x1F600 + r.nextInt(50)); // outside the BMP: a surrogate pair
      } else {
        sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
      }
    }
    return sb.toString();
  }

  @Test
  void acknowledgedWritesSurviveRepeatedKills(@TempDir Path dir) throws Exception {
    System.out.println("CrashSafetyTest: seed " + SEED + ", " + KILLS + " kills (rerun with"
        + " -Dconverge.crash.seed=" + SEED + "; soak with -Dconverge.soak=true)");
    Random random = new Random(SEED);
    Path data = dir.resolve("data");
    List<WriterModel> models = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      models.add(new WriterModel(w, random.nextLong()));
    }
    fill(data);
    long verifiedDocuments = 0;
    long inFlightApplied = 0;
    long inFlightLost = 0;
    ServerProcess server = ServerProcess.start(dir.resolve("server-0.log"), data, List.of());
    try {
      for (int kill = 0; kill < KILLS; kill++) {
        long delayMs = 200 + random.nextInt(SOAK ? 3000 : 1500);
        long ackedBefore = acknowledged(models);
        runWritersThenKill(server, models, delayMs);
        long ackedThisRound = acknowledged(models) - ackedBefore;
        assertTrue(ackedThisRound > 0, "no write was acknowledged before kill " + (kill + 1));
        boolean offline = kill % 2 == 0 || kill == KILLS - 1;
        Outcome o;
        if (offline) {
          o = verifyOffline(data, models);
          server = null;
          if (kill < KILLS - 1) {
            server = ServerProcess.start(dir.resolve("server-" + (kill + 1) + ".log"), data,
                List.of());
          }
        } else {
          server = ServerProcess.start(dir.resolve("server-" + (kill + 1) + ".log"), data,
              List.of());
          o = verifyOnline(server, models);
        }
        verifiedDocuments += o.documents;
        inFlightApplied += o.applied;
        inFlightLost += o.lost;
        System.out.printf("kill %d of %d after %d ms: %d writes acknowledged in this round, "
            + "%d live documents verified %s; in-flight requests applied %d, not applied %d%n",
            kill + 1, KILLS, delayMs, ackedThisRound, o.documents,
            offline ? "offline + converge check" : "through the restarted server's SQL",
            o.applied, o.lost);
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
    long upserts = models.stream().mapToLong(m -> m.ackedUpserts).sum();
    long deletes = models.stream().mapToLong(m -> m.ackedDeletes).sum();
    System.out.printf("CrashSafetyTest: seed %d, %d kills (SIGKILL), %d acknowledged upserts and"
        + " %d acknowledged deletes, %d document checks, in-flight requests applied %d / not %d%n",
        SEED, KILLS, upserts, deletes, verifiedDocuments, inFlightApplied, inFlightLost);
  }

  static Map<String, Object> filler(int i) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", "f" + i);
    d.put("v", 0L);
    d.put("kind", "k" + i % 5);
    d.put("n", (long) i);
    return d;
  }

  static void fill(Path data) {
    try (ConvergeStore store = ConvergeStore.open(data)) {
      ConvergeCollection c = store.getOrCreate(COLLECTION);
      List<Map<String, Object>> batch = new ArrayList<>();
      for (int i = 0; i < FILLER; i++) {
        batch.add(filler(i));
        if (batch.size() == 5_000 || i == FILLER - 1) {
          TestData.upsert(c, batch);
          batch.clear();
        }
      }
    }
  }

  static long acknowledged(List<WriterModel> models) {
    return models.stream().mapToLong(m -> m.ackedUpserts + m.ackedDeletes).sum();
  }

  /**
   * Runs the writers until one write is acknowledged and {@code delayMs} more have passed, then
   * kills the server with SIGKILL and waits for the writers to see it.
   */
  static void runWritersThenKill(ServerProcess server, List<WriterModel> models, long delayMs)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acks = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (WriterModel m : models) {
      Thread t = new Thread(() -> {
        try {
          write(server, m, stop, acks);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "crash-writer-" + m.writer);
      t.start();
      threads.add(t);
    }
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (acks.get() == 0 && failure.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(delayMs);
    int status = server.kill();
    stop.set(true);
    for (Thread t : threads) {
      t.join(WAIT.toMillis());
      assertTrue(!t.isAlive(), t.getName() + " did not stop");
    }
    if (failure.get() != null) {
      throw new AssertionError("a writer failed; server log:\n" + server.log(), failure.get());
    }
    assertEquals(ServerProcess.SIGKILL_STATUS, status, "the server was not ended by SIGKILL");
  }

  /**
   * One writer: batches of 1-20 upserts (NDJSON) and single deletes on its own ids, one request at
   * a time, recording each acknowledgement, until the server dies (the request without an answer
   * is remembered as in flight) or {@code stop}.
   */
  static void write(ServerProcess server, WriterModel m, AtomicBoolean stop, AtomicLong acks)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    String base = server.apiUrl() + "/collections/" + COLLECTION + "/docs";
    while (!stop.get()) {
      Map<Integer, Long> next = new LinkedHashMap<>();
      HttpRequest request;
      if (m.random.nextInt(10) < 8) {
        int n = 1 + m.random.nextInt(20);
        StringBuilder body = new StringBuilder();
        for (int k = 0; k < n; k++) {
          int i = m.random.nextInt(IDS_PER_WRITER);
          if (next.containsKey(i)) {
            continue;
          }
          long v = ++m.issued[i];
          next.put(i, v);
          body.append(JSON.writeValueAsString(document(m.id(i), v))).append('\n');
        }
        request = HttpRequest.newBuilder(URI.create(base))
            .header("Content-Type", "application/x-ndjson").timeout(WAIT)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
      } else {
        int i = m.random.nextInt(IDS_PER_WRITER);
        next.put(i, ABSENT);
        request = HttpRequest.newBuilder(URI.create(base + "/"
            + URLEncoder.encode(m.id(i), StandardCharsets.UTF_8))).timeout(WAIT).DELETE().build();
      }
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        m.inFlight.putAll(next); // no answer: applied whole or not at all
        return;
      }
      boolean delete = next.values().iterator().next() == ABSENT;
      if (delete) {
        int i = next.keySet().iterator().next();
        if (response.statusCode() == 404) {
          assertEquals(ABSENT, m.acked[i], m.id(i) + " acknowledged but 404 on delete");
        } else {
          assertEquals(200, response.statusCode(), response.body());
        }
        m.acked[i] = ABSENT;
        m.ackedDeletes++;
      } else {
        assertEquals(200, response.statusCode(), response.body());
        JsonNode answer = JSON.readTree(response.body());
        assertEquals(next.size(), answer.path("written").asInt(), response.body());
        for (Map.Entry<Integer, Long> e : next.entrySet()) {
          m.acked[e.getKey()] = e.getValue();
        }
        m.ackedUpserts += next.size();
      }
      acks.incrementAndGet();
    }
  }

  record Outcome(long documents, long applied, long lost) {}

  /**
   * The killed directory opened in this JVM (RocksDB recovery from the WAL, unsealed segments
   * rebuilt from the rows), every document compared whole, then {@code converge check}.
   */
  static Outcome verifyOffline(Path data, List<WriterModel> models) {
    Map<String, Long> observed = new HashMap<>();
    long live;
    try (ConvergeStore store = ConvergeStore.open(data)) {
      ConvergeCollection c = store.collection(COLLECTION);
      assertNotNull(c, "the collection is gone");
      try (CollectionSnapshot snap = c.snapshot()) {
        live = snap.count();
        for (WriterModel m : models) {
          for (int i = 0; i < IDS_PER_WRITER; i++) {
            Map<String, Object> d = snap.document(m.id(i));
            long v = d == null ? ABSENT : ((Number) d.get("v")).longValue();
            if (d != null) {
              Map<String, Object> stored = new LinkedHashMap<>(d);
              stored.remove("_event_time");
              assertEquals(document(m.id(i), v), stored, m.id(i) + " differs from version " + v);
            }
            observed.put(m.id(i), v);
          }
        }
        for (int i = 0; i < FILLER; i += 997) {
          Map<String, Object> d = new LinkedHashMap<>(snap.document("f" + i));
          d.remove("_event_time");
          assertEquals(filler(i), d, "f" + i);
        }
      }
    }
    Outcome o = reconcile(models, observed);
    assertEquals(o.documents + FILLER, live, "live documents besides the written ones");
    Cli.Result check = Cli.run("check", "--data-dir", data.toString());
    assertEquals(0, check.exit(), check.all());
    assertTrue(check.out().contains(COLLECTION + ":") && check.out().contains("consistent"),
        check.all());
    return o;
  }

  /** Through the restarted server: each live document's version and text, and the count. */
  static Outcome verifyOnline(ServerProcess server, List<WriterModel> models) throws Exception {
    Map<String, Long> observed = new HashMap<>();
    Map<String, String> texts = new HashMap<>();
    long count;
    long fillers = 0;
    try (Connection c = DriverManager.getConnection(server.jdbcUrl());
        Statement s = c.createStatement()) {
      count = ((Number) Sql.scalar(c, "select count(*) from " + COLLECTION)).longValue();
      try (ResultSet rs = s.executeQuery("select \"_id\", v, s, n from " + COLLECTION)) {
        while (rs.next()) {
          String id = rs.getString(1);
          if (id.startsWith("f")) {
            fillers++;
            continue;
          }
          observed.put(id, rs.getLong(2));
          texts.put(id, rs.getString(3) + "|" + rs.getLong(4));
        }
      }
    }
    for (Map.Entry<String, String> e : texts.entrySet()) {
      Map<String, Object> expected = document(e.getKey(), observed.get(e.getKey()));
      assertEquals(expected.get("s") + "|" + expected.get("n"), e.getValue(), e.getKey());
    }
    for (WriterModel m : models) {
      for (int i = 0; i < IDS_PER_WRITER; i++) {
        observed.putIfAbsent(m.id(i), ABSENT);
      }
    }
    Outcome o = reconcile(models, observed);
    assertEquals(FILLER, fillers, "filler documents");
    assertEquals(o.documents + FILLER, count, "count(*) after the restart");
    assertEquals(o.documents, texts.size(), "documents besides the written ones");
    return o;
  }

  /**
   * Checks what was found against the acknowledged states (and the in-flight request, applied
   * whole or not at all), then takes it as the new acknowledged state: it survived recovery.
   */
  static Outcome reconcile(List<WriterModel> models, Map<String, Long> observed) {
    long live = 0;
    long applied = 0;
    long lost = 0;
    for (WriterModel m : models) {
      Set<Boolean> inFlightFate = new LinkedHashSet<>();
      for (int i = 0; i < IDS_PER_WRITER; i++) {
        long seen = observed.get(m.id(i));
        Long maybe = m.inFlight.get(i);
        if (maybe != null && maybe != m.acked[i]) {
          assertTrue(seen == m.acked[i] || seen == maybe, m.id(i) + ": found " + describe(seen)
              + ", acknowledged " + describe(m.acked[i]) + ", in flight " + describe(maybe));
          inFlightFate.add(seen == maybe);
        } else {
          assertEquals(m.acked[i], seen, m.id(i) + ": found " + describe(seen)
              + ", acknowledged " + describe(m.acked[i]));
        }
        m.acked[i] = seen;
        if (seen != ABSENT) {
          live++;
        }
      }
      assertTrue(inFlightFate.size() <= 1,
          "writer " + m.writer + ": the in-flight batch was applied in part: " + m.inFlight);
      if (inFlightFate.contains(true)) {
        applied++;
      } else if (inFlightFate.contains(false)) {
        lost++;
      }
      m.inFlight.clear();
    }
    return new Outcome(live, applied, lost);
  }

  static String describe(long state) {
    return state == ABSENT ? "absent" : "version " + state;
  }

  static {
    try {
      Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
