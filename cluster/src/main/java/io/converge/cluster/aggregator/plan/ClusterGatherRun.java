package io.converge.cluster.aggregator.plan;

import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.FragmentStream;
import io.converge.cluster.fragment.LeafEndpoint;
import io.converge.cluster.metrics.GatherMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One execution of a gather's fragment: routes the partitions to leaves, opens one stream per
 * leaf, all at once, each read by its own thread into one bounded queue, and hands the rows out
 * in arrival order (typed as the row type wants). {@link #close} stops every stream early.
 */
final class ClusterGatherRun implements AutoCloseable {
  /** Rows buffered between the leaves' readers and the consumer. */
  static final int QUEUE_CAPACITY = 4096;

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "converge-gather-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  /** A leaf's stream ended. */
  private static final Object END = new Object();
  /** Times a refused fragment is routed again (pauses 0.1, 0.2, 0.4, 0.8, 1.6 s). */
  private static final int REROUTES = 5;
  /**
   * Rows of one leaf's stream held back until the stream ends: a leaf that dies within them is
   * asked again elsewhere as if it had refused, since nothing of its answer went on yet. Partial
   * aggregates, top-N, lookups and most filtered reads fit; a longer stream goes on from here.
   */
  static volatile int heldRows = 16_384;

  /** A leaf's stream failed. */
  private record Failure(String message) {}

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final List<Future<?>> readers = new ArrayList<>();
  private final ClusterGatherSpec spec;
  private final long deadlineMillis;
  private final AtomicBoolean cancel;
  private volatile boolean closed;
  private int streaming;

  ClusterGatherRun(ClusterGatherSpec spec, long deadlineMillis, AtomicBoolean cancel) {
    this.spec = spec;
    this.deadlineMillis = deadlineMillis;
    this.cancel = cancel;
    ClusterRuntime runtime = spec.runtime();
    Map<LeafEndpoint, List<Integer>> routes;
    try {
      routes = runtime.view().route(spec.collection(), spec.partitions(),
          runtime.preferredGroup());
    } catch (FragmentException e) {
      throw new ClusterGatherException("collection " + spec.collection() + ": "
          + oneLine(e.getMessage()), e);
    }
    String queryId = UUID.randomUUID().toString();
    streaming = routes.size();
    for (Map.Entry<LeafEndpoint, List<Integer>> r : routes.entrySet()) {
      FragmentRequest request = new FragmentRequest(queryId, spec.collection(), spec.sql(),
          List.copyOf(r.getValue()), spec.schemaVersion(), spec.fields(), deadlineMillis,
          spec.parameters(), spec.fence().on(r.getValue()), spec.fence().waitMillis());
      readers.add(READERS.submit(() -> read(r.getKey(), request)));
    }
  }

  private void read(LeafEndpoint leaf, FragmentRequest request) {
    String where = "leaf " + leaf + " (partitions " + request.partitions() + ")";
    try {
      stream(leaf, request, 0, java.util.Set.of());
      put(END);
    } catch (FragmentException e) {
      put(new Failure(where + ": " + e.kind() + ": " + oneLine(e.getMessage())));
    } catch (RuntimeException | Error e) {
      // Whatever ends a reader must reach the consumer, which otherwise waits for its END.
      put(new Failure(where + ": " + e.getClass().getSimpleName() + ": "
          + oneLine(String.valueOf(e.getMessage()))));
    }
  }

  /**
   * Streams one leaf's rows. A leaf that refuses or fails before its rows went on (its replica
   * group moved the partitions away a moment ago, or it died: a killed leaf is still a member
   * until its session times out) is no answer yet: the partitions are routed again from the view,
   * to another replica at once where one holds them, else after a growing pause, a few times
   * before the query fails. A fragment is read-only, so asking another leaf cannot double
   * anything; the rows held back from the failed stream are dropped. Once rows went on
   * ({@link #heldRows}), a failure fails the query.
   */
  private void stream(LeafEndpoint leaf, FragmentRequest request, int attempt,
      java.util.Set<String> failed) throws FragmentException {
    List<Object[]> held = new ArrayList<>();
    boolean released = false;
    try (FragmentStream stream = spec.runtime().transport().open(leaf, request)) {
      stream.columns();
      Map<Integer, Long> answered = answered(stream.appliedOffsets(), request.partitions());
      Object[] row;
      while (!closed && (row = stream.next()) != null) {
        Object[] converted = ClusterValues.convertRow(row.clone(), spec.targets());
        if (released) {
          if (!put(converted)) {
            return;
          }
        } else {
          held.add(converted);
          if (held.size() >= heldRows) {
            released = true;
            if (!release(answered, held)) {
              return;
            }
          }
        }
      }
      if (!released && !closed) {
        release(answered, held);
      }
    } catch (FragmentException e) {
      if (released || e.kind() != FragmentException.Kind.UNAVAILABLE || attempt >= REROUTES
          || closed) {
        throw e;
      }
      ClusterRuntime runtime = spec.runtime();
      java.util.Set<String> avoid = new java.util.HashSet<>(failed);
      avoid.add(leaf.leafId());
      Map<LeafEndpoint, List<Integer>> again = runtime.view().route(spec.collection(),
          request.partitions(), runtime.preferredGroup(), avoid);
      if (again.keySet().stream().anyMatch(l -> avoid.contains(l.leafId()))) {
        // No other replica: the same leaf, or its group still moving partitions, after a pause.
        long pause = 100L << attempt;
        if (System.currentTimeMillis() + pause >= deadlineMillis) {
          throw e;
        }
        try {
          Thread.sleep(pause);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        again = runtime.view().route(spec.collection(), request.partitions(),
            runtime.preferredGroup(), avoid);
      }
      GatherMetrics.retried();
      for (Map.Entry<LeafEndpoint, List<Integer>> r : again.entrySet()) {
        stream(r.getKey(), request.withPartitions(r.getValue()), attempt + 1, avoid);
      }
    }
  }

  /** Passes held rows on, telling the session which offsets they reflect; false once closed. */
  private boolean release(Map<Integer, Long> answered, List<Object[]> held) {
    spec.observer().answered(answered);
    for (Object[] row : held) {
      if (!put(row)) {
        return false;
      }
    }
    held.clear();
    return true;
  }

  /** The offsets a leaf said its answer reflects, of the partitions it was asked for alone. */
  static Map<Integer, Long> answered(Map<Integer, Long> applied, List<Integer> asked) {
    Map<Integer, Long> out = new TreeMap<>();
    for (int p : asked) {
      Long o = applied.get(p);
      if (o != null) {
        out.put(p, o);
      }
    }
    return out;
  }

  private boolean put(Object item) {
    try {
      while (!closed) {
        if (queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /** The next row, in arrival order, or null once every leaf's stream has ended. */
  Object[] next() {
    while (streaming > 0) {
      Object item;
      try {
        item = queue.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new ClusterGatherException("query interrupted", e);
      }
      if (item == null) {
        if (cancel.get()) {
          close();
          throw new ClusterGatherException("query cancelled", null);
        }
        if (System.currentTimeMillis() > deadlineMillis) {
          close();
          throw new ClusterGatherException("query timed out waiting for the leaves", null);
        }
      } else if (item == END) {
        streaming--;
      } else if (item instanceof Failure f) {
        close();
        throw new ClusterGatherException(f.message(), null);
      } else {
        return (Object[]) item;
      }
    }
    return null;
  }

  /** Stops all readers (their streams close, cancelling the leaves' work). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Future<?> f : readers) {
      f.cancel(true);
    }
    queue.clear();
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
