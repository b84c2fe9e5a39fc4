package io.converge.cluster.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the writers know of every document of the collection: per {@code _id}, the state Kafka
 * acknowledged last, and the states of writes whose fate is unknown since then.
 *
 * <p>A state is a version: the {@code v} of the document, from 1, or {@link #ABSENT} (never
 * written, or deleted). A write that was not acknowledged (503 after retries, an answer lost with
 * its aggregator) may still have landed, so its state is a <em>maybe</em>: a read may show it
 * until a later write of the same id is acknowledged. That later acknowledgement clears the
 * maybes, which assumes the fate of an unacknowledged write is settled once its answer (or its
 * aggregator's death) was seen: the aggregator answers 503 only after its producer gave up the
 * record (its ack wait outlasts Kafka's delivery timeout), and a dead aggregator sends nothing.
 * A batch whose {@code send} failed half-way is the exception (its first records may still be
 * in the producer); a read that shows such a record over a later acknowledged write is reported
 * as wrong, with the history of the id.
 *
 * <p>Each id is written by one client only (its owner), one write at a time, so a client's reads
 * of its own ids see no concurrent change. Thread-safe.
 */
final class DocModel {
  static final long ABSENT = 0;

  private final Map<String, Doc> docs = new ConcurrentHashMap<>();

  /** One id's states; guarded by itself. */
  static final class Doc {
    private long acked = ABSENT;
    private final Set<Long> maybe = new TreeSet<>();
    /** A delete answered 404 (tombstone written, no fence): the states before it, until fenced. */
    private final Set<Long> unfencedBefore = new TreeSet<>();
    private final Set<Long> attempted = new TreeSet<>();
    private final List<String> history = new ArrayList<>();

    synchronized long acked() {
      return acked;
    }

    /** The states a read may show now ({@code settled}: after quiescence, every fence reached). */
    synchronized Set<Long> allowed(boolean settled) {
      Set<Long> s = new TreeSet<>(maybe);
      s.add(acked);
      if (!settled) {
        s.addAll(unfencedBefore);
      }
      return s;
    }

    /** Whether {@code version} was ever sent for this id ({@link #ABSENT} always was). */
    synchronized boolean attempted(long version) {
      return version == ABSENT || attempted.contains(version);
    }

    synchronized long maxAttempted() {
      return attempted.isEmpty() ? 0 : ((TreeSet<Long>) attempted).last();
    }

    synchronized String history() {
      return String.join(" ", history.subList(Math.max(0, history.size() - 12), history.size()));
    }

    private synchronized void attempt(long state) {
      if (state != ABSENT) {
        attempted.add(state);
      }
      history.add("try:" + name(state));
    }

    private synchronized void acknowledged(long state, boolean fenced) {
      Set<Long> before = fenced ? Set.of() : allowed(false);
      unfencedBefore.clear();
      unfencedBefore.addAll(before);
      unfencedBefore.remove(state);
      acked = state;
      maybe.clear();
      history.add((fenced ? "ack:" : "ack-unfenced:") + name(state));
    }

    private synchronized void unknown(long state) {
      if (state != acked) {
        maybe.add(state);
      }
      history.add("maybe:" + name(state));
    }
  }

  private static String name(long state) {
    return state == ABSENT ? "absent" : "v" + state;
  }

  Doc doc(String id) {
    return docs.computeIfAbsent(id, i -> new Doc());
  }

  /** The doc of {@code id} if anything was ever sent for it, else null. */
  Doc known(String id) {
    return docs.get(id);
  }

  /** Before sending: {@code state} may now be in the log. */
  void attempt(String id, long state) {
    doc(id).attempt(state);
  }

  /** Kafka acknowledged {@code state} for {@code id}; {@code fenced}: the session waits for it. */
  void acknowledged(String id, long state, boolean fenced) {
    doc(id).acknowledged(state, fenced);
  }

  /** A write of {@code state} got no acknowledgement: it may or may not be in the log. */
  void unknown(String id, long state) {
    doc(id).unknown(state);
  }

  /** Every id ever written, sorted. */
  Map<String, Doc> snapshot() {
    return new TreeMap<>(docs);
  }

  /** Lowest and highest count and sum of {@code v} a read of {@code ids} may answer. */
  record Bounds(long minCount, long maxCount, long minSum, long maxSum) {
    boolean admits(long count, long sum) {
      return count >= minCount && count <= maxCount && sum >= minSum && sum <= maxSum;
    }
  }

  /** The bounds of COUNT(*) and SUM(v) over the documents of the given ids. */
  Bounds bounds(Iterable<String> ids, boolean settled) {
    long minCount = 0;
    long maxCount = 0;
    long minSum = 0;
    long maxSum = 0;
    for (String id : ids) {
      Doc d = docs.get(id);
      if (d == null) {
        continue;
      }
      TreeSet<Long> states = new TreeSet<>(d.allowed(settled));
      boolean canBeAbsent = states.contains(ABSENT);
      states.remove(ABSENT);
      minCount += canBeAbsent || states.isEmpty() ? 0 : 1;
      maxCount += states.isEmpty() ? 0 : 1;
      minSum += canBeAbsent || states.isEmpty() ? 0 : states.first();
      maxSum += states.isEmpty() ? 0 : states.last();
    }
    return new Bounds(minCount, maxCount, minSum, maxSum);
  }
}
