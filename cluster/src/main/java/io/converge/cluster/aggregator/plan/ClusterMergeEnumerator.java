package io.converge.cluster.aggregator.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.calcite.linq4j.Enumerator;

/**
 * The rows of a gather, merged as its {@link ClusterMerge.Kind} says: concatenated as they
 * arrive; the first {@code fetch} after {@code offset}, closing the streams then; the top
 * {@code offset + fetch} by the sort keys (each leaf sends its shards' sorted runs one after
 * another, so the gather merges runs through a bounded heap); or partial aggregates merged by
 * group key. Starts the run on the first {@link #moveNext}. Merges that need every row before the
 * first ({@link #materialize}) are computed once per execution and replayed, since Calcite
 * enumerates the inner side of a nested-loop join (a scalar sub-query) once per outer row.
 */
final class ClusterMergeEnumerator implements Enumerator<Object>, AutoCloseable {
  private final ClusterGatherSpec spec;
  private final long deadlineMillis;
  private final AtomicBoolean cancel;
  private ClusterGatherRun run;
  private Iterator<Object[]> merged;
  private Object[] row;
  private long skipped;
  private long emitted;
  /** Rows streamed so far, kept for a replay while there are few; null when not kept. */
  private List<Object[]> recorded;
  private Consumer<List<Object[]>> onComplete;

  ClusterMergeEnumerator(ClusterGatherSpec spec, long deadlineMillis, AtomicBoolean cancel) {
    this.spec = spec;
    this.deadlineMillis = deadlineMillis;
    this.cancel = cancel;
  }

  @Override
  public Object current() {
    return spec.scalar() ? row[0] : row;
  }

  /**
   * A streaming merge that hands its rows to {@code onComplete} when it reached their end and
   * there were at most {@link #REPLAY_ROWS}, so that a later enumeration replays them.
   */
  ClusterMergeEnumerator(ClusterGatherSpec spec, long deadlineMillis, AtomicBoolean cancel,
      Consumer<List<Object[]>> onComplete) {
    this(spec, deadlineMillis, cancel);
    this.recorded = new ArrayList<>();
    this.onComplete = onComplete;
  }

  /** Streamed rows kept for replays (Calcite enumerates a nested loop's inner side per row). */
  static final int REPLAY_ROWS = 100_000;

  /** The rows of a top-N or aggregate merge, all at once. */
  static List<Object[]> materialize(ClusterGatherSpec spec, long deadlineMillis,
      AtomicBoolean cancel) {
    try (ClusterMergeEnumerator e = new ClusterMergeEnumerator(spec, deadlineMillis, cancel)) {
      e.run = new ClusterGatherRun(spec, deadlineMillis, cancel);
      return spec.kind() == ClusterMerge.Kind.TOP_N ? e.topN() : e.aggregate();
    }
  }

  /** Whether {@link #materialize} applies. */
  static boolean materializes(ClusterMerge.Kind kind) {
    return kind == ClusterMerge.Kind.TOP_N || kind == ClusterMerge.Kind.AGGREGATE;
  }

  /** Replays materialized rows. */
  ClusterMergeEnumerator(ClusterGatherSpec spec, List<Object[]> rows) {
    this(spec, Long.MAX_VALUE, new AtomicBoolean());
    this.merged = rows.iterator();
  }

  @Override
  public boolean moveNext() {
    if (merged == null && run == null) {
      run = new ClusterGatherRun(spec, deadlineMillis, cancel);
    }
    if (merged != null) {
      row = merged.hasNext() ? merged.next() : null;
      return row != null;
    }
    if (spec.kind() == ClusterMerge.Kind.LIMIT) {
      while (skipped < spec.offset() && run.next() != null) {
        skipped++;
      }
      if (emitted >= spec.fetch()) {
        run.close(); // early stop: the leaves need send nothing more
        return end();
      }
    }
    row = run.next();
    if (row == null) {
      return end();
    }
    emitted++;
    if (recorded != null) {
      recorded = recorded.size() < REPLAY_ROWS ? recorded : null;
      if (recorded != null) {
        recorded.add(row);
      }
    }
    return true;
  }

  private boolean end() {
    row = null;
    if (recorded != null && onComplete != null) {
      onComplete.accept(recorded);
      onComplete = null;
    }
    return false;
  }

  private List<Object[]> topN() {
    Comparator<Object[]> order = comparator(spec.sortKeys());
    long keep = spec.offset() + spec.fetch();
    PriorityQueue<Object[]> heap = new PriorityQueue<>(order.reversed());
    for (Object[] r = run.next(); r != null; r = run.next()) {
      heap.add(r);
      if (heap.size() > keep) {
        heap.poll();
      }
    }
    List<Object[]> rows = new ArrayList<>(heap);
    rows.sort(order);
    int from = (int) Math.min(rows.size(), spec.offset());
    return rows.subList(from, rows.size());
  }

  private List<Object[]> aggregate() {
    int keys = spec.groupCount();
    List<ClusterMerge.Combine> combines = spec.combines();
    Map<List<Object>, Object[]> groups = new LinkedHashMap<>();
    for (Object[] r = run.next(); r != null; r = run.next()) {
      Object[] acc = groups.putIfAbsent(Arrays.asList(r).subList(0, keys), r);
      if (acc != null) {
        for (int i = 0; i < combines.size(); i++) {
          acc[keys + i] = ClusterValues.combine(combines.get(i), acc[keys + i], r[keys + i]);
        }
      }
    }
    for (Object[] acc : groups.values()) {
      for (int i = 0; i < combines.size(); i++) {
        if (combines.get(i) == ClusterMerge.Combine.SUM0 && acc[keys + i] == null) {
          acc[keys + i] = ClusterValues.zero(spec.targets().get(keys + i));
        }
      }
    }
    return new ArrayList<>(groups.values());
  }

  /** Calcite's order for the keys: direction, then where nulls go. */
  static Comparator<Object[]> comparator(List<ClusterGatherSpec.SortKey> keys) {
    return (a, b) -> {
      for (ClusterGatherSpec.SortKey k : keys) {
        Object x = a[k.column()];
        Object y = b[k.column()];
        int c;
        if (x == null || y == null) {
          c = x == y ? 0 : (x == null) == k.nullsFirst() ? -1 : 1;
        } else {
          c = ClusterValues.compare(x, y);
          if (k.descending()) {
            c = -c;
          }
        }
        if (c != 0) {
          return c;
        }
      }
      return 0;
    };
  }

  @Override
  public void reset() {
    throw new UnsupportedOperationException("a gather runs once");
  }

  @Override
  public void close() {
    if (run != null) {
      run.close();
    }
  }
}
