package io.converge.adapter;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.guard.QueryGuard;
import io.converge.storage.RowCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.calcite.linq4j.Enumerator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Streams rows of a collection from a {@link CollectionSnapshot}, one segment in memory at a
 * time, producing the requested columns in Calcite's internal representation. Owns the snapshot
 * and closes it when closed (or when the rows run out).
 *
 * <p>Checks its query's {@link QueryGuard} for a cancel or an abort at every row, for its timeout
 * every {@value #CHECK_ROWS} rows and at every segment:
 * a canceled, timed-out or memory-stopped query ends with a
 * {@link io.converge.storage.guard.QueryAbortedException}, never with a silently short result.
 */
public final class ConvergeEnumerator implements Enumerator<Object[]> {
  private final CollectionSnapshot snapshot;
  private final ConvergeColumn[] columns;
  private final RowCursor cursor;
  /** Rows between two checks of the guard (and between two updates of its row count). */
  static final int CHECK_ROWS = 64;

  private final QueryGuard guard;
  private Object[] current;
  private boolean closed;
  private int rows;

  public ConvergeEnumerator(CollectionSnapshot snapshot, List<ConvergeColumn> columns,
      AtomicBoolean cancel) {
    this(snapshot, columns, null, ConvergeQueryGuards.ofCancelFlag(cancel));
  }

  /** Rows of {@code rids} only (null = every live row), stopping on a bare cancel flag. */
  public ConvergeEnumerator(CollectionSnapshot snapshot, List<ConvergeColumn> columns,
      RoaringBitmap rids, AtomicBoolean cancel) {
    this(snapshot, columns, rids, ConvergeQueryGuards.ofCancelFlag(cancel));
  }

  /**
   * Rows of {@code rids} only (null = every live row) for the query of {@code guard}; used by
   * the scans of the adapter and the index and lookup access paths of the rules module.
   */
  public ConvergeEnumerator(CollectionSnapshot snapshot, List<ConvergeColumn> columns,
      RoaringBitmap rids, QueryGuard guard) {
    this.snapshot = snapshot;
    this.columns = columns.toArray(new ConvergeColumn[0]);
    this.guard = guard == null ? QueryGuard.NONE : guard;
    snapshot.guard(this.guard);
    List<String> paths = new ArrayList<>(columns.size());
    for (ConvergeColumn c : columns) {
      paths.add(c.path());
    }
    RowCursor c;
    try {
      this.guard.check();
      c = rids == null ? snapshot.scan(paths) : snapshot.scan(paths, rids);
    } catch (RuntimeException e) {
      snapshot.close();
      throw e;
    }
    this.cursor = c;
    this.guard.open();
  }

  @Override
  public Object[] current() {
    return current;
  }

  @Override
  public boolean moveNext() {
    if (closed) {
      return false;
    }
    if (++rows == CHECK_ROWS) {
      rows = 0;
      guard.addRows(CHECK_ROWS);
      check();
    } else {
      // Every row: a memory stop must land before the rows a join fans out fill the heap.
      checkCanceled();
    }
    boolean more;
    try {
      more = cursor.next();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    if (!more) {
      current = null;
      close();
      return false;
    }
    Object[] row = new Object[columns.length];
    for (int i = 0; i < row.length; i++) {
      row[i] = columns[i].toInternal(cursor.get(i));
    }
    current = row;
    return true;
  }

  @Override
  public void reset() {
    throw new UnsupportedOperationException("a Converge scan cannot be restarted");
  }

  private void check() {
    try {
      guard.check();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void checkCanceled() {
    try {
      guard.checkCanceled();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      guard.addRows(rows);
      rows = 0;
      snapshot.close();
      guard.close();
    }
  }
}
