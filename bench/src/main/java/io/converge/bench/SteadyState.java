package io.converge.bench;

import io.converge.storage.ConvergeStore;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Lets the work a warm-up leaves behind finish before a timed write phase starts, so that the
 * phase measures the steady state: queued segment seals, RocksDB's flushes and compactions (of a
 * dropped scratch collection, among others) and the JIT's compile queue, which on two cores holds
 * compilations queued during a warm-up for seconds. The timed phase's own flushes, compactions
 * and compilations still count in it: while C2's queue is long, tiered compilation keeps hot
 * methods at tier 2 (without profiling), and some (Jetty's {@code HttpParser.parseFields}, after
 * a million warm-up documents) move on to tier 3 and C2 only in the timed phase.
 */
final class SteadyState {
  /** The JIT counts as idle once its compilation time has not grown for this long. */
  static final long JIT_QUIET_MILLIS = 1_000;

  private SteadyState() {}

  /**
   * Waits for {@code store}'s seals, then at most {@code maxSeconds} for RocksDB to have no
   * flush or compaction running or pending, then at most {@code maxSeconds} for a quiet JIT.
   * Returns what it waited for, for the report.
   */
  static String settle(ConvergeStore store, long maxSeconds) throws InterruptedException {
    long t0 = System.nanoTime();
    store.awaitSealed();
    boolean idle = store.awaitBackgroundIdle(maxSeconds * 1000);
    long rocksNanos = System.nanoTime() - t0;
    long jitStart = System.nanoTime();
    boolean quiet = awaitQuietJit(maxSeconds);
    return String.format(Locale.ROOT, "waited %s for RocksDB's flushes and compactions%s and %s"
            + " for the JIT's queue (until %s without a compilation%s)",
        Timings.seconds(rocksNanos), idle ? "" : " (still busy: timed out)",
        Timings.seconds(System.nanoTime() - jitStart),
        Timings.seconds(JIT_QUIET_MILLIS * 1_000_000.0), quiet ? "" : "; timed out");
  }

  /**
   * Waits at most {@code maxSeconds} until the JIT has compiled nothing for
   * {@link #JIT_QUIET_MILLIS}; true when it got there.
   */
  static boolean awaitQuietJit(long maxSeconds) throws InterruptedException {
    long start = System.nanoTime();
    long last = compilationMillis();
    long quietSince = System.nanoTime();
    while (System.nanoTime() - quietSince < JIT_QUIET_MILLIS * 1_000_000L) {
      if (System.nanoTime() - start >= maxSeconds * 1_000_000_000L) {
        return false;
      }
      Thread.sleep(100);
      long now = compilationMillis();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
    }
    return true;
  }

  /**
   * The JVM's accumulated JIT compilation time (all compiler threads), ms, or a large negative
   * number when the JVM does not tell. The compiler shares the two cores with the server, and
   * its CPU counts in the process CPU per document.
   */
  static long compilationMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime() : Long.MIN_VALUE / 2;
  }
}
