package io.converge.storage.guard;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a heap about to run out into an error for one query instead of an
 * {@link OutOfMemoryError} for whichever thread allocates next.
 *
 * <p>After every garbage collection the JVM reports how much of each heap pool is still in use.
 * When the heap in use after a collection is above {@code fraction} of the maximum heap (the
 * live data, give or take garbage in the old generation that the collection did not reach), the
 * watchdog stops the running query most likely to hold it ({@link QueryRegistry#largest()}) with
 * "query exceeded the memory limit". The query sees it at its next check (every row of a
 * Converge scan, every segment of a fold), unwinds, and what it held becomes garbage. It stops
 * one query at a time: the next only once the previous one has ended or a later collection is
 * still above the mark a second after.
 *
 * <p>What it does not cover: memory held by something other than a running query (the watchdog
 * then stops nothing and logs), a single allocation larger than the room left, and work that
 * never returns to a Converge scan (for example the output phase of a Calcite sort whose input
 * was read completely): such a query is stopped only if it reads again.
 */
public final class QueryMemoryWatchdog implements NotificationListener {
  private static final Logger LOG = LoggerFactory.getLogger(QueryMemoryWatchdog.class);
  private static QueryMemoryWatchdog installed;

  private final QueryRegistry registry;
  private final Set<String> heapPools = new HashSet<>();
  private volatile double fraction;
  private QueryGuard lastVictim;
  private long lastKillNanos;
  private long kills;

  private QueryMemoryWatchdog(QueryRegistry registry, double fraction) {
    this.registry = registry;
    this.fraction = fraction;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        heapPools.add(p.getName());
      }
    }
  }

  /**
   * Installs the process's watchdog (once; later calls change its fraction). {@code fraction}
   * in (0, 1]; 1 or more turns it off.
   */
  public static synchronized QueryMemoryWatchdog install(double fraction) {
    if (!(fraction > 0)) {
      throw new IllegalArgumentException("heap fraction must be > 0, got " + fraction);
    }
    if (installed != null) {
      installed.fraction = fraction;
      return installed;
    }
    QueryMemoryWatchdog w = new QueryMemoryWatchdog(QueryRegistry.global(), fraction);
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(w, null, null);
      }
    }
    installed = w;
    return w;
  }

  public double fraction() {
    return fraction;
  }

  /** Queries stopped so far. */
  public synchronized long kills() {
    return kills;
  }

  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    double f = fraction;
    if (f >= 1) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    long max = Runtime.getRuntime().maxMemory();
    if (used > f * max) {
      afterHighCollection(used, max, info.getGcName());
    }
  }

  private synchronized void afterHighCollection(long used, long max, String gcName) {
    long now = System.nanoTime();
    if (lastVictim != null && registry.running().contains(lastVictim)
        && now - lastKillNanos < 1_000_000_000L) {
      return; // the last one is still unwinding
    }
    QueryGuard victim = registry.largest();
    if (victim == null) {
      LOG.warn("heap {} of {} in use after {}, above {}%, and no running query to stop",
          QueryGuard.mb(used), QueryGuard.mb(max), gcName, Math.round(fraction * 100));
      return;
    }
    String message = "query exceeded the memory limit: the server's heap was "
        + Math.round(100.0 * used / max) + "% full (" + QueryGuard.mb(used) + " of "
        + QueryGuard.mb(max) + ") after a garbage collection while it ran, and it was the"
        + " largest running query (" + victim.rowsRead() + " rows read); the query was stopped"
        + " to keep the server up";
    if (victim.abort(new QueryAbortedException(QueryAbortedException.Reason.MEMORY, message))) {
      kills++;
      lastVictim = victim;
      lastKillNanos = now;
      LOG.warn("stopped {}: heap {} of {} after {}", victim, QueryGuard.mb(used),
          QueryGuard.mb(max), gcName);
    }
  }
}
