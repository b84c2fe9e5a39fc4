package io.converge.storage.guard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The queries of this process that have a Converge scan open, and the process-wide default of the
 * per-query memory limit. The {@link QueryMemoryWatchdog} picks its victim here.
 */
public final class QueryRegistry {
  private static final QueryRegistry GLOBAL = new QueryRegistry();

  private final Set<QueryGuard> running = ConcurrentHashMap.newKeySet();
  private volatile long memoryLimitBytes = defaultMemoryLimit();

  QueryRegistry() {}

  public static QueryRegistry global() {
    return GLOBAL;
  }

  /** A quarter of the maximum heap. */
  public static long defaultMemoryLimit() {
    return Runtime.getRuntime().maxMemory() / 4;
  }

  /** The per-query limit new guards get (bytes; 0 = none). */
  public long memoryLimitBytes() {
    return memoryLimitBytes;
  }

  public void setMemoryLimitBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("memory limit must be >= 0, got " + bytes);
    }
    this.memoryLimitBytes = bytes;
  }

  void add(QueryGuard g) {
    running.add(g);
  }

  void remove(QueryGuard g) {
    running.remove(g);
  }

  /** The running queries, oldest first. */
  public List<QueryGuard> running() {
    List<QueryGuard> list = new ArrayList<>(running);
    list.sort(Comparator.comparingLong(QueryGuard::startNanos));
    return list;
  }

  /**
   * The running query that most likely holds the most memory: the most bytes held in Converge's
   * materializations, then the most rows read (rows a Calcite sort, join or aggregate above the
   * scan may be keeping), then the oldest. Null when none is running or all are stopped already.
   */
  public QueryGuard largest() {
    QueryGuard best = null;
    for (QueryGuard g : running()) {
      if (g.stopped()) {
        continue;
      }
      if (best == null || weight(g) > weight(best)) {
        best = g;
      }
    }
    return best;
  }

  /** Bytes held, plus rows read at an assumed 64 bytes a row. */
  static long weight(QueryGuard g) {
    return g.heldBytes() + g.rowsRead() * 64;
  }
}
