package io.converge.cluster.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a chaos run counted, and what it found wrong: shared by the clients, the faults and the
 * final check. Thread-safe.
 */
final class ChaosTally {
  /** How many findings of one kind are kept word for word. */
  private static final int KEPT = 20;

  final AtomicLong faults = new AtomicLong();
  final AtomicLong writeRequests = new AtomicLong();
  final AtomicLong writesAcked = new AtomicLong();
  final AtomicLong deletesAcked = new AtomicLong();
  final AtomicLong writeRetries = new AtomicLong();
  final AtomicLong writesUnacknowledged = new AtomicLong();
  final AtomicLong queries = new AtomicLong();
  final AtomicLong queryRetries = new AtomicLong();
  final AtomicLong queriesFailed = new AtomicLong();
  final AtomicLong lost = new AtomicLong();
  final AtomicLong wrong = new AtomicLong();
  /** Time the clients spent in queries and in write requests (retries and pauses included). */
  final AtomicLong queryNanos = new AtomicLong();
  final AtomicLong writeNanos = new AtomicLong();

  private final long startNanos = System.nanoTime();
  private final List<String> faultLog = new ArrayList<>();
  private final List<String> phases = new ArrayList<>();
  private final List<String> lostFindings = new ArrayList<>();
  private final List<String> wrongFindings = new ArrayList<>();
  private final List<String> notRetryable = new ArrayList<>();
  /** Failures of query attempts and writes by the first words of their reason. */
  private final Map<String, Long> failureKinds = new TreeMap<>();

  /** The time since the run began, as {@code t=12.3s}, to line findings up with faults. */
  String clock() {
    return String.format("t=%.1fs", (System.nanoTime() - startNanos) / 1e9);
  }

  synchronized void fault(String description) {
    faults.incrementAndGet();
    faultLog.add(description);
  }

  /** A phase of the run ended (for the report's timeline). */
  synchronized void phase(String name) {
    phases.add(name + " " + clock());
  }

  synchronized void lost(String finding) {
    finding = clock() + " " + finding;
    lost.incrementAndGet();
    if (lostFindings.size() < KEPT) {
      lostFindings.add(finding);
    }
  }

  synchronized void wrong(String finding) {
    finding = clock() + " " + finding;
    wrong.incrementAndGet();
    if (wrongFindings.size() < KEPT) {
      wrongFindings.add(finding);
    }
  }

  /**
   * A failed attempt (query or write), counted by kind for the report; the first of each kind is
   * printed whole, with the time.
   */
  synchronized void failure(String kind, String detail) {
    failureKinds.merge(kind, 1L, Long::sum);
    if (failureKinds.get(kind) == 1) {
      System.out.println("chaos: " + clock() + " first failure of its kind: " + detail);
    }
  }

  /** Query attempts and write requests so far: how much the clients did. */
  long operations() {
    return queries.get() + queryRetries.get() + writeRequests.get();
  }

  /** A query failure that is not of a kind a client should retry. */
  synchronized void notRetryable(String reason) {
    reason = clock() + " " + reason;
    if (notRetryable.size() < KEPT) {
      notRetryable.add(reason);
    }
  }

  synchronized List<String> notRetryable() {
    return List.copyOf(notRetryable);
  }

  synchronized List<String> wrongFindings() {
    return List.copyOf(wrongFindings);
  }

  synchronized List<String> lostFindings() {
    return List.copyOf(lostFindings);
  }

  /** Answered queries over all queries, 1 when none ran. */
  double querySuccess() {
    long n = queries.get();
    return n == 0 ? 1 : (double) (n - queriesFailed.get()) / n;
  }

  synchronized String report(long seed, long wallMillis) {
    StringBuilder b = new StringBuilder();
    b.append("chaos run, seed ").append(seed).append(", ")
        .append(String.format("%.1f s", wallMillis / 1000.0)).append('\n');
    b.append("  faults injected: ").append(faults.get()).append('\n');
    for (String f : faultLog) {
      b.append("    ").append(f).append('\n');
    }
    b.append("  timeline: ").append(String.join(", ", phases)).append('\n');
    b.append("  writes: ").append(writeRequests.get()).append(" requests, ")
        .append(writesAcked.get()).append(" documents and ").append(deletesAcked.get())
        .append(" deletes acknowledged, ").append(writeRetries.get()).append(" retries, ")
        .append(writesUnacknowledged.get()).append(" never acknowledged (maybe)\n");
    b.append("  queries: ").append(queries.get()).append(" run, ").append(queryRetries.get())
        .append(" retried, ").append(queriesFailed.get()).append(" failed (")
        .append(String.format("%.2f%%", 100 * querySuccess())).append(" answered)\n");
    b.append(String.format("  mean time per write: %.0f ms, per query: %.0f ms%n",
        writeNanos.get() / 1e6 / Math.max(1, writesAcked.get() + deletesAcked.get()),
        queryNanos.get() / 1e6 / Math.max(1, queries.get())));
    b.append("  lost: ").append(lost.get()).append(", wrong: ").append(wrong.get()).append('\n');
    if (!failureKinds.isEmpty()) {
      b.append("  failed attempts by kind:\n");
      failureKinds.forEach((k, n) -> b.append("    ").append(n).append(" x ").append(k)
          .append('\n'));
    }
    for (String l : lostFindings) {
      b.append("  LOST ").append(l).append('\n');
    }
    for (String w : wrongFindings) {
      b.append("  WRONG ").append(w).append('\n');
    }
    for (String n : notRetryable) {
      b.append("  NOT RETRYABLE ").append(n).append('\n');
    }
    return b.toString();
  }
}
