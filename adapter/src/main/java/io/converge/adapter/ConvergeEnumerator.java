package io.converge.adapter;

import io.converge.storage.CollectionSnapshot;
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
 */
public final class ConvergeEnumerator implements Enumerator<Object[]> {
  private final CollectionSnapshot snapshot;
  private final ConvergeColumn[] columns;
  private final RowCursor cursor;
  private final AtomicBoolean cancel;
  private Object[] current;
  private boolean closed;

  public ConvergeEnumerator(CollectionSnapshot snapshot, List<ConvergeColumn> columns,
      AtomicBoolean cancel) {
    this(snapshot, columns, null, cancel);
  }

  /**
   * Rows of {@code rids} only (null = every live row); used by the index and lookup access
   * paths of the rules module.
   */
  public ConvergeEnumerator(CollectionSnapshot snapshot, List<ConvergeColumn> columns,
      RoaringBitmap rids, AtomicBoolean cancel) {
    this.snapshot = snapshot;
    this.columns = columns.toArray(new ConvergeColumn[0]);
    this.cancel = cancel;
    List<String> paths = new ArrayList<>(columns.size());
    for (ConvergeColumn c : columns) {
      paths.add(c.path());
    }
    RowCursor c;
    try {
      c = rids == null ? snapshot.scan(paths) : snapshot.scan(paths, rids);
    } catch (RuntimeException e) {
      snapshot.close();
      throw e;
    }
    this.cursor = c;
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
    if (cancel != null && cancel.get()) {
      close();
      return false;
    }
    if (!cursor.next()) {
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

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      snapshot.close();
    }
  }
}
