package io.converge.storage.guard;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One query's stop conditions, checked by Converge's read loops (row cursors, column folds, range
 * scans, top-N): a cancel flag (JDBC {@code Statement.cancel()} sets it), a timeout, an abort
 * from outside ({@link #abort}, used by the {@link QueryMemoryWatchdog}), and a bound on the bytes
 * the query holds in Converge's own materializations ({@link #reserve}).
 *
 * <p>{@link #check()} is cheap (two volatile reads, and a clock read when there is a deadline):
 * loops call it once per segment or batch of rows. The timeout counts from the guard's creation,
 * which is when the query's first Converge scan starts.
 *
 * <p>A guard is shared by every scan of one query execution and may be checked from several
 * threads (the two halves of a parallel fold).
 */
public final class QueryGuard {
  private static final AtomicLong IDS = new AtomicLong();

  /** A guard that never stops anything: for callers outside a query (tools, tests). */
  public static final QueryGuard NONE = new QueryGuard(null, 0, 0, "none");

  private final long id = IDS.incrementAndGet();
  private final AtomicBoolean cancelFlag;
  private final long startNanos = System.nanoTime();
  private final long timeoutMillis;
  private final long deadlineNanos;
  private final long memoryLimitBytes;
  private final String label;
  private final AtomicLong heldBytes = new AtomicLong();
  private final AtomicLong rowsRead = new AtomicLong();
  private final AtomicInteger openScans = new AtomicInteger();
  private volatile QueryAbortedException abort;

  /**
   * @param cancelFlag set when the query is canceled (null: no flag)
   * @param timeoutMillis 0 for no timeout
   * @param memoryLimitBytes most bytes the query may hold in Converge's materializations; 0 for
   *     no bound
   * @param label what the query is, for messages and the list of running queries
   */
  public QueryGuard(AtomicBoolean cancelFlag, long timeoutMillis, long memoryLimitBytes,
      String label) {
    this.cancelFlag = cancelFlag;
    this.timeoutMillis = Math.max(0, timeoutMillis);
    this.deadlineNanos = this.timeoutMillis == 0 ? 0
        : startNanos + Math.min(this.timeoutMillis, Long.MAX_VALUE / 2_000_000) * 1_000_000;
    this.memoryLimitBytes = Math.max(0, memoryLimitBytes);
    this.label = label;
  }

  /** Throws {@link QueryAbortedException} when the query must stop. */
  public void check() {
    QueryAbortedException a = abort;
    if (a != null) {
      throw a;
    }
    if (cancelFlag != null && cancelFlag.get()) {
      throw stop(new QueryAbortedException(QueryAbortedException.Reason.CANCELED,
          "query canceled"));
    }
    if (deadlineNanos != 0 && System.nanoTime() - deadlineNanos >= 0) {
      throw stop(new QueryAbortedException(QueryAbortedException.Reason.TIMEOUT,
          "query timed out: it ran longer than its timeout of " + seconds(timeoutMillis)));
    }
  }

  /**
   * The part of {@link #check()} without the clock: an abort or a cancel. Two volatile reads,
   * cheap enough for every row.
   */
  public void checkCanceled() {
    QueryAbortedException a = abort;
    if (a != null) {
      throw a;
    }
    if (cancelFlag != null && cancelFlag.get()) {
      throw stop(new QueryAbortedException(QueryAbortedException.Reason.CANCELED,
          "query canceled"));
    }
  }

  /** Whether {@link #check()} would throw (without throwing). */
  public boolean stopped() {
    return abort != null || cancelFlag != null && cancelFlag.get()
        || deadlineNanos != 0 && System.nanoTime() - deadlineNanos >= 0;
  }

  /**
   * Stops the query at its next check with this error (the first abort wins). Returns whether
   * this call was the one that stopped it.
   */
  public boolean abort(QueryAbortedException e) {
    synchronized (this) {
      if (abort != null) {
        return false;
      }
      abort = e;
      return true;
    }
  }

  private QueryAbortedException stop(QueryAbortedException e) {
    abort(e);
    return abort;
  }

  /**
   * Counts {@code bytes} more held by the query's materializations (group tables, top-N heaps);
   * throws when that passes the memory limit. Give them back with {@link #release}.
   */
  public void reserve(long bytes) {
    long held = heldBytes.addAndGet(bytes);
    if (memoryLimitBytes > 0 && held > memoryLimitBytes) {
      throw stop(new QueryAbortedException(QueryAbortedException.Reason.MEMORY,
          "query exceeded the memory limit: it held about " + mb(held)
              + " in Converge's own materializations (group tables, top-N candidates), over its"
              + " limit of " + mb(memoryLimitBytes) + " (--query-memory-limit)"));
    }
    check();
  }

  public void release(long bytes) {
    heldBytes.addAndGet(-bytes);
  }

  /** Counts rows read by a scan (the watchdog's measure of a query's size). */
  public void addRows(long rows) {
    rowsRead.addAndGet(rows);
  }

  /** Marks a scan of this query open; the query is listed as running while any is. */
  public void open() {
    if (this != NONE && openScans.getAndIncrement() == 0) {
      QueryRegistry.global().add(this);
    }
  }

  /** Marks a scan of this query closed. */
  public void close() {
    if (this != NONE && openScans.decrementAndGet() == 0) {
      QueryRegistry.global().remove(this);
    }
  }

  public long id() {
    return id;
  }

  public String label() {
    return label;
  }

  public long heldBytes() {
    return heldBytes.get();
  }

  public long rowsRead() {
    return rowsRead.get();
  }

  public long timeoutMillis() {
    return timeoutMillis;
  }

  public long memoryLimitBytes() {
    return memoryLimitBytes;
  }

  public long runningMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  long startNanos() {
    return startNanos;
  }

  static String mb(long bytes) {
    return bytes >= 10L << 20 ? (bytes >> 20) + " MB" : String.format("%.1f MB", bytes / 1048576.0);
  }

  private static String seconds(long millis) {
    return millis % 1000 == 0 ? (millis / 1000) + " s" : millis + " ms";
  }

  @Override
  public String toString() {
    return "query " + id + " (" + label + ", " + runningMillis() + " ms, " + rowsRead()
        + " rows read, " + mb(heldBytes()) + " held)";
  }
}
