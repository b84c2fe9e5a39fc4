package io.converge.cluster.metrics;

import io.converge.server.metrics.ConvergeMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The work a leaf does for its fragments, counted next to the fragment timer (whose count is the
 * fragments executed), so that a query's cost on a leaf can be told from the process's background
 * work (log polling, announcements, GC, JIT):
 *
 * <ul>
 *   <li>{@code converge_leaf_fragment_cpu_seconds_total}: CPU time of the threads while they work
 *       on a fragment, each measured around its own part ({@link #start}, {@link #stop}): the
 *       transport thread that decodes the request, the one that runs it and writes the Arrow
 *       batches, and each thread that runs a partition of it. Not counted: gRPC's network
 *       threads (receiving the request, writing the serialized batches to the socket).
 *   <li>{@code converge_leaf_fragment_rows_total}: rows the fragments returned.
 *   <li>{@code converge_leaf_fragment_shard_rows_total}: documents held by the shards the
 *       fragments ran over, once per fragment and shard: what a full scan would read, an upper
 *       bound of the rows actually read (indexes and pruning read fewer).
 * </ul>
 *
 * <p>Process-wide, like the fragment timer: one leaf per process. Thread-safe.
 */
public final class FragmentWork {
  static final String CPU = "converge.leaf.fragment.cpu";
  static final String ROWS = "converge.leaf.fragment.rows";
  static final String SHARD_ROWS = "converge.leaf.fragment.shard.rows";
  /** What {@link #start} returns when the caller's part is counted by an enclosing one. */
  private static final long NESTED = -1;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU_TIME = cpuTimeAvailable();
  /** Whether the current thread's CPU time is being counted already (by an enclosing part). */
  private static final ThreadLocal<boolean[]> COUNTING = ThreadLocal.withInitial(
      () -> new boolean[1]);
  private static final LongAdder CPU_NANOS = new LongAdder();
  private static final LongAdder ROWS_RETURNED = new LongAdder();
  private static final LongAdder SHARD_ROWS_COVERED = new LongAdder();

  static {
    FunctionCounter.builder(CPU, CPU_NANOS, a -> a.sum() / 1e9).baseUnit("seconds")
        .description("CPU time of the leaf's threads while they work on fragments")
        .register(ConvergeMetrics.registry());
    FunctionCounter.builder(ROWS, ROWS_RETURNED, LongAdder::sum)
        .description("rows the leaf's fragments returned").register(ConvergeMetrics.registry());
    FunctionCounter.builder(SHARD_ROWS, SHARD_ROWS_COVERED, LongAdder::sum)
        .description("documents in the shards the leaf's fragments ran over, once per fragment"
            + " and shard (an upper bound of the rows read)")
        .register(ConvergeMetrics.registry());
  }

  private FragmentWork() {}

  /** Registers the counters (at 0 until the first fragment); the first use does it too. */
  public static void register() {
    // the class's initialization registers them
  }

  /**
   * Starts counting the current thread's CPU time for a fragment; pass the result to {@link
   * #stop} (in a {@code finally}). Inside a part already counted on this thread it counts
   * nothing, so that nested parts are not counted twice.
   */
  public static long start() {
    if (!CPU_TIME) {
      return NESTED;
    }
    boolean[] counting = COUNTING.get();
    if (counting[0]) {
      return NESTED;
    }
    counting[0] = true;
    return THREADS.getCurrentThreadCpuTime();
  }

  /** Ends the part {@code start} began on this thread and counts its CPU time. */
  public static void stop(long start) {
    if (start == NESTED) {
      return;
    }
    CPU_NANOS.add(Math.max(0, THREADS.getCurrentThreadCpuTime() - start));
    COUNTING.get()[0] = false;
  }

  /** Counts rows a fragment returned. */
  public static void rowsReturned(long rows) {
    ROWS_RETURNED.add(rows);
  }

  /** Counts the documents of a shard a fragment ran over. */
  public static void shardRows(long documents) {
    SHARD_ROWS_COVERED.add(documents);
  }

  /** CPU seconds counted so far (tests). */
  static double cpuSeconds() {
    return CPU_NANOS.sum() / 1e9;
  }

  private static boolean cpuTimeAvailable() {
    try {
      if (!THREADS.isCurrentThreadCpuTimeSupported()) {
        return false;
      }
      if (!THREADS.isThreadCpuTimeEnabled()) {
        THREADS.setThreadCpuTimeEnabled(true);
      }
      return THREADS.getCurrentThreadCpuTime() >= 0;
    } catch (UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }
}
