package io.converge.adapter;

import io.converge.storage.guard.QueryGuard;
import io.converge.storage.guard.QueryRegistry;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.calcite.DataContext;

/**
 * The {@link QueryGuard} of one statement execution, shared by every Converge scan of it.
 *
 * <p>Calcite creates one {@link DataContext} per execution and puts in it the statement's cancel
 * flag ({@link DataContext.Variable#CANCEL_FLAG}, set by {@code Statement.cancel()}) and, when
 * {@code Statement.setQueryTimeout} was called, the timeout in milliseconds
 * ({@link DataContext.Variable#TIMEOUT}). Calcite itself enforces neither inside a running
 * enumerable; the guard makes Converge's scans, folds and index loops stop on both. The timeout
 * counts from the execution's first Converge scan. The per-query memory limit is the process's
 * ({@link QueryRegistry#memoryLimitBytes()}).
 */
public final class ConvergeQueryGuards {
  private static final Map<DataContext, QueryGuard> BY_CONTEXT =
      Collections.synchronizedMap(new WeakHashMap<>());

  private ConvergeQueryGuards() {}

  /** The guard of the execution {@code root} belongs to ({@link QueryGuard#NONE} for null). */
  public static QueryGuard of(DataContext root) {
    if (root == null) {
      return QueryGuard.NONE;
    }
    return BY_CONTEXT.computeIfAbsent(root, r -> {
      AtomicBoolean cancel = DataContext.Variable.CANCEL_FLAG.get(r);
      Object timeout = r.get(DataContext.Variable.TIMEOUT.camelName);
      long millis = timeout instanceof Number n ? n.longValue() : 0;
      return new QueryGuard(cancel, millis, QueryRegistry.global().memoryLimitBytes(),
          Thread.currentThread().getName());
    });
  }

  /** A guard on a bare cancel flag (no timeout, no memory limit), for callers without a context. */
  public static QueryGuard ofCancelFlag(AtomicBoolean cancel) {
    return cancel == null ? QueryGuard.NONE : new QueryGuard(cancel, 0, 0, "scan");
  }
}
