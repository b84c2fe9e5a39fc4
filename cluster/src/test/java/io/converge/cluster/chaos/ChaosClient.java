package io.converge.cluster.chaos;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A client of the cluster, one thread: it writes its own ids ({@code c<k>-<n>}) over HTTP and
 * reads over JDBC, one operation at a time, each chosen by its seeded random, and checks every
 * answer against the {@link DocModel}.
 *
 * <p>What each read checks, and why it must hold:
 * <ul>
 * <li>{@code _id} lookup of an own id: the row is there at most once, and its state (absent or
 * {@code v}) is the last one acknowledged to this client or a later unacknowledged one. The
 * session's fence holds every offset Kafka acknowledged to the client, and no write of the id
 * runs meanwhile (the client is the only writer, and waits for its writes), so an older state
 * breaks read-your-writes.
 * <li>{@code _id} lookup of another client's id: at most once, a version that client sent
 * (nothing made up), and within one connection never older than one read before (monotonic
 * reads; a new connection starts over).
 * <li>{@code COUNT(*), COUNT(DISTINCT _id), SUM(v)} over the client's own ids
 * ({@code WHERE owner = k}): no row counted twice, and count and sum within the bounds the model
 * gives (exact when no write of the client is unknown): the same reasoning as the lookup,
 * over every partition at once.
 * <li>The same over the whole collection: no row counted twice; at least the base documents
 * (written before the clients, in every session's fence, never changed) and at most every id
 * ever sent; the sum between the base documents' and the highest version sent of every id.
 * Other clients' recent writes need not be visible (their fences are not this session's), so
 * nothing tighter is claimed.
 * </ul>
 */
final class ChaosClient implements Runnable {
  /** A write is retried for at most this many attempts (and ~2 minutes). */
  private static final int WRITE_ATTEMPTS = 40;
  private static final long WRITE_BOUND_NANOS = 120_000_000_000L;
  /** No client runs more operations than this, whatever the run's length. */
  private static final int MAX_OPERATIONS = 1_000_000;

  private final int index;
  private final String collection;
  private final ChaosSettings settings;
  private final DocModel model;
  private final ChaosTally tally;
  private final ChaosWrites writes;
  private final ChaosSession session;
  private final Random random;
  private final AtomicBoolean stop;
  private final DocModel.Bounds base;
  private final List<String> ownIds = new ArrayList<>();
  private final Map<String, Long> seenOnConnection = new HashMap<>();
  private int seenConnection = -1;
  private long nextVersion = 1;

  ChaosClient(int index, String collection, ChaosSettings settings, DocModel model,
      ChaosTally tally, ChaosWrites writes, ChaosSession session, DocModel.Bounds base,
      AtomicBoolean stop) {
    this.index = index;
    this.collection = collection;
    this.settings = settings;
    this.model = model;
    this.tally = tally;
    this.writes = writes;
    this.session = session;
    this.base = base;
    this.stop = stop;
    this.random = new Random(settings.seed() * 1_000_003L + index);
    for (int n = 0; n < settings.idsPerClient(); n++) {
      ownIds.add(id(index, n));
    }
  }

  static String id(int client, int n) {
    return "c" + client + "-" + n;
  }

  @Override
  public void run() {
    try (session) {
      for (int op = 0; op < MAX_OPERATIONS && !stop.get(); op++) {
        int dice = random.nextInt(100);
        if (dice < 40) {
          upsert();
        } else if (dice < 50) {
          delete();
        } else if (dice < 75) {
          lookupOwn();
        } else if (dice < 85) {
          lookupOther();
        } else if (dice < 93) {
          aggregateOwn();
        } else {
          aggregateAll();
        }
        Thread.sleep(random.nextInt((int) settings.clientPause().toMillis() + 1));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      tally.wrong("client " + index + " stopped by " + QueryFailures.messages(e));
    }
  }

  private void upsert() {
    int size = 1 + random.nextInt(4);
    Map<String, Long> versions = new LinkedHashMap<>();
    while (versions.size() < size) {
      versions.putIfAbsent(ownIds.get(random.nextInt(ownIds.size())), nextVersion++);
    }
    List<Map<String, Object>> docs = new ArrayList<>();
    versions.forEach((id, v) -> {
      model.attempt(id, v);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", id);
      d.put("owner", index);
      d.put("v", v);
      d.put("pad", "x".repeat(random.nextInt(40)));
      docs.add(d);
    });
    ChaosWrites.Answer a = untilAnswered(() -> writes.upsert(collection, docs));
    if (a != null && a.outcome() == ChaosWrites.Outcome.ACKNOWLEDGED) {
      versions.forEach((id, v) -> model.acknowledged(id, v, true));
      session.advance(a.fence());
      tally.writesAcked.addAndGet(versions.size());
    } else {
      versions.forEach(model::unknown);
      tally.writesUnacknowledged.addAndGet(versions.size());
    }
  }

  private void delete() {
    String id = null;
    for (int tries = 0; tries < 10 && id == null; tries++) {
      String candidate = ownIds.get(random.nextInt(ownIds.size()));
      DocModel.Doc d = model.known(candidate);
      if (d != null && d.acked() != DocModel.ABSENT) {
        id = candidate;
      }
    }
    if (id == null) {
      return;
    }
    model.attempt(id, DocModel.ABSENT);
    String target = id;
    ChaosWrites.Answer a = untilAnswered(() -> writes.delete(collection, target));
    if (a == null) {
      model.unknown(id, DocModel.ABSENT);
      tally.writesUnacknowledged.incrementAndGet();
    } else if (a.outcome() == ChaosWrites.Outcome.ACKNOWLEDGED) {
      model.acknowledged(id, DocModel.ABSENT, true);
      session.advance(a.fence());
      tally.deletesAcked.incrementAndGet();
    } else {
      model.acknowledged(id, DocModel.ABSENT, false);
      tally.deletesAcked.incrementAndGet();
    }
  }

  /**
   * Sends until acknowledged (or a delete's tombstone is written), retrying 503s after their
   * Retry-After, refused connections on the other aggregator, lost answers as they are (the
   * same versions again); null when it gave up.
   */
  private ChaosWrites.Answer untilAnswered(Supplier<ChaosWrites.Answer> send) {
    long start = System.nanoTime();
    try {
      return attempts(send, start + WRITE_BOUND_NANOS);
    } finally {
      tally.writeNanos.addAndGet(System.nanoTime() - start);
    }
  }

  private ChaosWrites.Answer attempts(Supplier<ChaosWrites.Answer> send, long deadline) {
    for (int attempt = 0; attempt < WRITE_ATTEMPTS && System.nanoTime() < deadline; attempt++) {
      tally.writeRequests.incrementAndGet();
      ChaosWrites.Answer a = send.get();
      switch (a.outcome()) {
        case ACKNOWLEDGED:
        case TOMBSTONE_WITHOUT_FENCE:
          return a;
        case ERROR:
          tally.notRetryable("write answered " + a.detail());
          tally.failure("write: " + a.outcome() + " " + shortDetail(a), a.detail());
          break;
        default:
          tally.failure("write: " + a.outcome() + " " + shortDetail(a), a.detail());
          break;
      }
      tally.writeRetries.incrementAndGet();
      pause(a.outcome() == ChaosWrites.Outcome.UNAVAILABLE ? 1_000 : 300);
    }
    return null;
  }

  private static String shortDetail(ChaosWrites.Answer a) {
    String d = a.detail().replaceAll("127\\.0\\.0\\.1:\\d+", "AGG").replaceAll("\\d+", "N");
    return d.length() <= 100 ? d : d.substring(0, 100);
  }

  private void lookupOwn() throws InterruptedException {
    String id = ownIds.get(random.nextInt(ownIds.size()));
    List<Long> rows = session.query("SELECT v FROM " + collection + " WHERE _id = '" + id + "'",
        ChaosClient::longs);
    if (rows == null) {
      return;
    }
    DocModel.Doc d = model.known(id);
    Set<Long> allowed = d == null ? Set.of(DocModel.ABSENT) : d.allowed(false);
    long seen = rows.isEmpty() ? DocModel.ABSENT : rows.get(0);
    if (rows.size() > 1) {
      tally.wrong(id + " read by its writer: " + rows.size() + " rows " + rows);
    } else if (!allowed.contains(seen)) {
      tally.wrong(id + " read by its writer (read-your-writes): " + name(seen) + ", expected one"
          + " of " + allowed + "; history " + d.history());
    }
  }

  private void lookupOther() throws InterruptedException {
    int other = (index + 1 + random.nextInt(Math.max(1, settings.clients() - 1)))
        % settings.clients();
    String id = id(other, random.nextInt(settings.idsPerClient()));
    List<Long> rows = session.query("SELECT v FROM " + collection + " WHERE _id = '" + id + "'",
        ChaosClient::longs);
    if (rows == null) {
      return;
    }
    if (session.connections() != seenConnection) {
      seenOnConnection.clear();
      seenConnection = session.connections();
    }
    DocModel.Doc d = model.known(id);
    long seen = rows.isEmpty() ? DocModel.ABSENT : rows.get(0);
    if (rows.size() > 1) {
      tally.wrong(id + " read by client " + index + ": " + rows.size() + " rows " + rows);
    } else if (seen != DocModel.ABSENT && (d == null || !d.attempted(seen))) {
      tally.wrong(id + " read by client " + index + ": v" + seen + " was never written");
    } else if (seen != DocModel.ABSENT) {
      Long before = seenOnConnection.put(id, seen);
      if (before != null && before > seen) {
        tally.wrong(id + " read by client " + index + " went back from v" + before + " to v"
            + seen + " on one connection (monotonic reads); history " + d.history());
        seenOnConnection.put(id, before);
      }
    }
  }

  private void aggregateOwn() throws InterruptedException {
    long[] got = session.query("SELECT COUNT(*), COUNT(DISTINCT _id), SUM(v) FROM "
        + collection + " WHERE owner = " + index, ChaosClient::countDistinctSum);
    if (got == null) {
      return;
    }
    DocModel.Bounds b = model.bounds(ownIds, false);
    if (got[0] != got[1]) {
      tally.wrong("client " + index + "'s documents: COUNT(*) " + got[0] + " but "
          + got[1] + " distinct ids");
    } else if (!b.admits(got[0], got[2])) {
      tally.wrong("client " + index + "'s documents: count " + got[0] + ", sum " + got[2]
          + " outside " + b);
    }
  }

  private void aggregateAll() throws InterruptedException {
    long[] got = session.query("SELECT COUNT(*), COUNT(DISTINCT _id), SUM(v) FROM "
        + collection, ChaosClient::countDistinctSum);
    if (got == null) {
      return;
    }
    long maxCount = 0;
    long maxSum = 0;
    for (DocModel.Doc d : model.snapshot().values()) {
      long top = d.maxAttempted();
      maxCount += top > 0 ? 1 : 0;
      maxSum += top;
    }
    if (got[0] != got[1]) {
      tally.wrong("whole collection: COUNT(*) " + got[0] + " but " + got[1] + " distinct ids");
    } else if (got[0] < base.minCount() || got[0] > maxCount || got[2] < base.minSum()
        || got[2] > maxSum) {
      tally.wrong("whole collection: count " + got[0] + ", sum " + got[2] + " outside ["
          + base.minCount() + ", " + maxCount + "] / [" + base.minSum() + ", " + maxSum + "]");
    }
  }

  private static List<Long> longs(ResultSet rs) throws SQLException {
    List<Long> out = new ArrayList<>();
    while (rs.next()) {
      out.add(rs.getLong(1));
    }
    return out;
  }

  private static long[] countDistinctSum(ResultSet rs) throws SQLException {
    if (!rs.next()) {
      throw new SQLException("an aggregate without a row");
    }
    return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
  }

  private static String name(long state) {
    return state == DocModel.ABSENT ? "absent" : "v" + state;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
