package io.converge.cluster.leaf;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentException.Kind;
import io.converge.cluster.fragment.FragmentExecutor;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.RowSink;
import io.converge.cluster.log.FieldStats;
import io.converge.cluster.metrics.FragmentWork;
import io.converge.storage.schema.CollectionSchema;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs fragments over a leaf's assigned shards: the request's SQL once per partition, in parallel
 * on a bounded pool, against a table typed by the request's merged field statistics. Statements
 * are prepared once per leaf ({@link FragmentStatements}) and, per execution, bound to the
 * partition's shard and to the request's parameter values (SQL with {@code ?} markers is the same
 * on every execution, so it is planned once and only rebound); rows go to the sink from one
 * thread at a time. A request with a fence runs once its shards applied it ({@link ShardFence}).
 * The partitions' threads, rows returned and shard sizes count in {@link FragmentWork}.
 * Thread-safe.
 */
public final class ShardFragmentExecutor implements FragmentExecutor, AutoCloseable {
  /** Idle prepared statements kept. */
  private static final int STATEMENTS = 256;
  /** How long past the deadline a cancelled partition may take to stop before it is abandoned. */
  private static final long CANCEL_GRACE_MS = 2_000;

  private final LeafShards shards;
  private final String leafId;
  private final FragmentStatements statements = new FragmentStatements(STATEMENTS);
  private final ExecutorService pool;
  private final ScheduledThreadPoolExecutor timer;

  ShardFragmentExecutor(String leafId, LeafShards shards) {
    this.leafId = leafId;
    this.shards = shards;
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "converge-leaf-fragment-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "converge-leaf-fragment-deadline");
      t.setDaemon(true);
      return t;
    });
    // a fragment's deadline is minutes away and almost always cancelled: do not keep it queued
    timer.setRemoveOnCancelPolicy(true);
  }

  @Override
  public void execute(FragmentRequest request, RowSink sink) throws FragmentException {
    if (request.partitions() == null || request.partitions().isEmpty()) {
      throw new FragmentException(Kind.INVALID, "fragment " + request.queryId()
          + " names no partitions");
    }
    List<LeafShard> targets = new ArrayList<>();
    List<Integer> missing = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int p : request.partitions()) {
      LeafShard s = shards.get(request.collection(), p);
      if (s == null || !s.answers(now)) {
        missing.add(p);
      } else {
        targets.add(s);
      }
    }
    if (!missing.isEmpty()) {
      throw new FragmentException(Kind.UNAVAILABLE, "leaf " + leafId + " does not hold "
          + (missing.size() == 1 ? "partition " : "partitions ") + missing + " of '"
          + request.collection() + "'");
    }
    if (System.currentTimeMillis() >= request.deadlineMillis()) {
      throw new FragmentException(Kind.TIMEOUT, "fragment " + request.queryId()
          + " arrived past its deadline");
    }
    ShardFence.await(request, targets, leafId, sink::cancelled);
    sink.applied(appliedOffsets(targets));
    FragmentRun run = new FragmentRun(request, sink);
    ScheduledFuture<?> deadline = timer.schedule(run::deadlinePassed,
        Math.max(0, request.deadlineMillis() - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
    try {
      partitions(run, targets);
    } finally {
      deadline.cancel(false);
    }
  }

  /** Runs the partitions: on this thread when there is one, else in parallel on the pool. */
  private void partitions(FragmentRun run, List<LeafShard> targets) throws FragmentException {
    FragmentRequest request = run.request;
    if (targets.size() == 1) {
      run.partition(targets.get(0));
      return;
    }
    List<Future<?>> futures = new ArrayList<>(targets.size());
    try {
      for (LeafShard s : targets) {
        futures.add(pool.submit(() -> {
          long cpu = FragmentWork.start();
          try {
            run.partition(s);
          } finally {
            FragmentWork.stop(cpu);
          }
          return null;
        }));
      }
    } catch (RejectedExecutionException e) {
      run.stop();
      throw new FragmentException(Kind.UNAVAILABLE, "leaf " + leafId + " is stopping");
    }
    FragmentException failure = null;
    for (Future<?> f : futures) {
      try {
        long wait = request.deadlineMillis() + CANCEL_GRACE_MS - System.currentTimeMillis();
        f.get(Math.max(1, wait), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        FragmentException fe = e.getCause() instanceof FragmentException x ? x
            : new FragmentException(Kind.FAILED, oneLine(e.getCause()), e.getCause());
        if (failure == null) {
          failure = fe;
          run.stop();
        }
      } catch (TimeoutException e) {
        if (failure == null) {
          failure = new FragmentException(Kind.TIMEOUT, "fragment " + request.queryId()
              + " passed its deadline");
          run.stop();
        }
        f.cancel(true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        run.stop();
        futures.forEach(x -> x.cancel(true));
        throw new FragmentException(Kind.CANCELLED, "fragment " + request.queryId()
            + " interrupted");
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** One fragment's execution over its partitions: the shared sink, stop and deadline state. */
  private final class FragmentRun {
    private final FragmentRequest request;
    private final RowSink sink;
    private final Object sinkLock = new Object();
    private boolean columnsSent;
    private volatile boolean stopped;
    private volatile boolean timedOut;
    private final List<FragmentStatements.Lease> running = new ArrayList<>();
    /** Statements cancelled while running: not reused (their cancel flag may stay set). */
    private final java.util.Set<FragmentStatements.Lease> cancelled =
        java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Whether the run counts in {@link FragmentWork} (a warm-up does not: no query asked it). */
    private final boolean counted;

    FragmentRun(FragmentRequest request, RowSink sink) {
      this(request, sink, true);
    }

    FragmentRun(FragmentRequest request, RowSink sink, boolean counted) {
      this.request = request;
      this.sink = sink;
      this.counted = counted;
    }

    /** The deadline passed: every partition still running or not started yet fails. */
    void deadlinePassed() {
      timedOut = true;
      stop();
    }

    /** Stops every partition still running (receiver satisfied, a failure, or the deadline). */
    void stop() {
      stop(null);
    }

    /** {@link #stop()}, except that {@code self} (the caller's own statement) is not cancelled. */
    void stop(FragmentStatements.Lease self) {
      stopped = true;
      List<FragmentStatements.Lease> now;
      synchronized (running) {
        now = new ArrayList<>(running);
      }
      for (FragmentStatements.Lease l : now) {
        if (l == self) {
          continue;
        }
        cancelled.add(l);
        try {
          l.statement().cancel();
        } catch (SQLException ignored) {
          // it finished meanwhile
        }
      }
    }

    void partition(LeafShard shard) throws FragmentException {
      if (stopped) {
        failIfTimedOut(shard);
        return;
      }
      // built only when the statement is planned (not when a cached plan is reused)
      java.util.function.Supplier<CollectionSchema> schema = () -> FieldStats.schema(
          request.collection(), request.schemaVersion(), shard.store().documentCount(),
          request.fields());
      FragmentStatements.Key key = new FragmentStatements.Key(request.collection(),
          request.schemaVersion(), request.sql());
      FragmentStatements.Lease lease;
      try {
        lease = statements.checkout(key, shard.store(), schema);
      } catch (SQLException | RuntimeException e) {
        throw new FragmentException(Kind.INVALID, oneLine(e), e);
      }
      try {
        FragmentValues.bind(lease.statement(), request.parameters());
      } catch (SQLException | RuntimeException e) {
        lease.closeQuietly();
        throw new FragmentException(Kind.INVALID, "parameters: " + oneLine(e), e);
      }
      boolean reusable = false;
      synchronized (running) {
        running.add(lease);
      }
      try {
        // stopped before the lease was listed: stop() did not cancel it, so do not start it
        reusable = stopped || rows(lease, shard);
      } catch (SQLException | RuntimeException e) {
        if (timedOut) {
          throw new FragmentException(Kind.TIMEOUT, "fragment " + request.queryId()
              + " passed its deadline on partition " + shard.partition());
        }
        if (!stopped) {
          throw new FragmentException(Kind.FAILED, "partition " + shard.partition() + ": "
              + oneLine(e), e);
        }
      } finally {
        synchronized (running) {
          running.remove(lease);
        }
        if (reusable && !cancelled.contains(lease)) {
          statements.checkin(lease);
        } else {
          lease.closeQuietly();
        }
      }
      failIfTimedOut(shard);
    }

    private void failIfTimedOut(LeafShard shard) throws FragmentException {
      if (timedOut) {
        throw new FragmentException(Kind.TIMEOUT, "fragment " + request.queryId()
            + " passed its deadline on partition " + shard.partition());
      }
    }

    /**
     * Streams one partition's rows, the statement bound to its shard until the rows are read;
     * true when the statement ended normally (can be reused).
     */
    private boolean rows(FragmentStatements.Lease lease, LeafShard shard) throws SQLException {
      Calendar utc = FragmentValues.utcCalendar();
      lease.bind(shard.store());
      if (counted) {
        FragmentWork.shardRows(shard.store().documentCount());
      }
      long returned = 0;
      try (ResultSet rs = lease.statement().executeQuery()) {
        List<FragmentColumn> columns = FragmentValues.columns(rs.getMetaData());
        synchronized (sinkLock) {
          if (!columnsSent) {
            sink.columns(columns);
            columnsSent = true;
          }
        }
        Object[] row = new Object[columns.size()];
        boolean satisfied = false;
        while (!stopped && rs.next()) {
          FragmentValues.read(rs, columns, utc, row);
          synchronized (sinkLock) {
            if (stopped) {
              break;
            }
            returned++;
            if (!sink.row(row)) {
              // under the sink lock, so that no other partition hands the sink one more row
              stopped = true;
              satisfied = true;
              break;
            }
          }
        }
        if (satisfied) {
          stop(lease);
        }
      } finally {
        // after the result set is closed (try-with-resources closes it first)
        lease.clear();
        if (counted) {
          FragmentWork.rowsReturned(returned);
        }
      }
      return !timedOut;
    }
  }

  /**
   * Per shard, the last offset its answer will hold: read from the applier's published next offset
   * before any partition runs, hence before its statement takes the storage snapshot it reads.
   * The applier publishes a next offset only after the batch carrying it was written and made
   * visible to new snapshots, so a snapshot taken later holds every record below it (and perhaps
   * more): the offset is exact or low, never high.
   */
  static Map<Integer, Long> appliedOffsets(List<LeafShard> targets) {
    Map<Integer, Long> out = new TreeMap<>();
    for (LeafShard s : targets) {
      long next = s.nextOffset();
      if (next > 0) {
        out.put(s.partition(), next - 1);
      }
    }
    return out;
  }

  /**
   * Runs {@code request} over {@code shard}, which the leaf need not hold, dropping the rows and
   * then the statements planned for it ({@link LeafWarmUp}).
   */
  void warmUp(FragmentRequest request, LeafShard shard) throws FragmentException {
    try {
      new FragmentRun(request, new RowSink() {
        @Override
        public void columns(List<FragmentColumn> columns) {}

        @Override
        public boolean row(Object[] values) {
          return true;
        }
      }, false).partition(shard);
    } finally {
      statements.forget(request.collection());
    }
  }

  /** Idle prepared statements now (tests). */
  int idleStatements() {
    return statements.idleCount();
  }

  /** The innermost message of an error, on one line (Calcite wraps its own several times). */
  static String oneLine(Throwable t) {
    String message = null;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        message = c.getMessage();
      }
      if (c.getCause() == c) {
        break;
      }
    }
    if (message == null) {
      return t.getClass().getSimpleName();
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).trim();
  }

  @Override
  public void close() {
    pool.shutdownNow();
    timer.shutdownNow();
    statements.close();
  }
}
