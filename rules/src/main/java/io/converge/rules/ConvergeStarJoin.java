package io.converge.rules;

import io.converge.adapter.ConvergeColumn;
import io.converge.storage.CollectionSnapshot;
import io.converge.storage.RowCursor;
import io.converge.storage.query.Predicate;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.linq4j.Linq4j;
import org.roaringbitmap.RoaringBitmap;

/**
 * Runs a star join (see {@link ConvergeHashJoin}): hashes each dimension's rows on its join keys,
 * then reads the fact table's rows once, probing each row's foreign keys in the hash tables (the
 * smallest table first) before reading its other columns, and yields the star row (fact
 * columns, then each dimension's) projected to the columns of the top join.
 *
 * <p>Keys compare as Calcite's hash join compares them: the internal values' {@code equals}
 * (one key), or lists of them (several); a null key matches nothing.
 */
public final class ConvergeStarJoin {
  private ConvergeStarJoin() {}

  /** {@link #join}, for code generation. */
  static final Method JOIN;

  static {
    try {
      JOIN = ConvergeStarJoin.class.getMethod("join", DataContext.class, Spec.class,
          Enumerable[].class);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** How often (in fact rows) the scan looks at the statement's cancel flag. */
  private static final int CANCEL_CHECK_ROWS = 4096;

  /**
   * What the generated code hands over.
   *
   * @param fact the fact table's access path (its columns, predicate, lookup)
   * @param factKeys per dimension, the fact columns (positions in {@code fact}'s columns) equal to
   *     its keys
   * @param dimKeys per dimension, its key columns, in the order of {@code factKeys}
   * @param dimWidths per dimension, its number of columns
   * @param output per result column, its position in the star row (fact columns, then each
   *     dimension's)
   * @param reducible per dimension, whether {@code fact-key IN (its keys)} may narrow the fact
   *     rows in the inverted index (one key, on a column the index answers exactly)
   */
  public record Spec(ConvergeQuery fact, int[][] factKeys, int[][] dimKeys, int[] dimWidths,
      int[] output, boolean[] reducible) {}

  /**
   * Reducible dimensions narrow the fact rows in the inverted index, those with the fewest keys
   * first, as long as their keys add up to at most this many: a point lookup per key is cheap
   * next to a scan of the fact table, but the in-memory tail segment tests {@code IN} row by row,
   * linearly in the keys, so many keys cost more than they save.
   */
  static final int MAX_SEMI_JOIN_KEYS = 256;

  /**
   * Selected fact rows per segment (on average) up to which the scan reads only them: a storage
   * scan of a rid set reads a segment with at most 2,048 selected rows from the row store (whole
   * documents, a few microseconds each), which beats decoding the needed column segments only
   * for a few hundred rows.
   */
  static final int SPARSE_ROWS_PER_SEGMENT = 256;
  /**
   * Above {@link #SPARSE_ROWS_PER_SEGMENT} and up to this many (the storage scan's row-store
   * limit), the scan reads every row's columns and skips those outside the rid set instead;
   * above it, the storage scan of the rid set decodes the columns itself.
   */
  static final int ROW_STORE_ROWS_PER_SEGMENT = 2048;

  /**
   * The joined rows (called by the generated code): the star rows of the fact rows that match a
   * row of every dimension, projected to {@code spec.output()}. {@code dims} yield
   * {@code Object[]} rows.
   */
  public static Enumerable<Object[]> join(DataContext root, Spec spec, Enumerable<?>[] dims) {
    AtomicBoolean cancel = root == null ? null : DataContext.Variable.CANCEL_FLAG.get(root);
    return new AbstractEnumerable<>() {
      @Override
      public Enumerator<Object[]> enumerator() {
        List<Map<Object, Object>> tables = new ArrayList<>(dims.length);
        for (int i = 0; i < dims.length; i++) {
          @SuppressWarnings("unchecked")
          Enumerable<Object[]> rows = (Enumerable<Object[]>) dims[i];
          Map<Object, Object> t = hash(rows, spec.dimKeys()[i]);
          if (t.isEmpty()) {
            return Linq4j.emptyEnumerator(); // an inner join with nothing
          }
          tables.add(t);
        }
        List<java.util.Collection<?>> keys = new ArrayList<>(tables.size());
        for (Map<Object, Object> t : tables) {
          keys.add(t.keySet());
        }
        return new Probe(root, spec, reduced(spec, keys), tables, cancel);
      }
    };
  }

  /**
   * The fact query narrowed by {@code fact-key IN (keys)} for reducible dimensions, the fewest
   * keys first, up to {@link #MAX_SEMI_JOIN_KEYS} keys in all (the probes still decide; this only
   * drops rows they would drop).
   */
  static ConvergeQuery reduced(Spec spec, List<? extends java.util.Collection<?>> tables) {
    ConvergeQuery q = spec.fact();
    List<Integer> dims = new ArrayList<>();
    for (int d = 0; d < tables.size(); d++) {
      if (spec.reducible()[d]) {
        dims.add(d);
      }
    }
    dims.sort((a, b) -> Integer.compare(tables.get(a).size(), tables.get(b).size()));
    List<Predicate> and = new ArrayList<>();
    int keys = 0;
    for (int d : dims) {
      java.util.Collection<?> t = tables.get(d);
      if (keys + t.size() > MAX_SEMI_JOIN_KEYS) {
        break;
      }
      keys += t.size();
      ConvergeColumn c = q.columns().get(spec.factKeys()[d][0]);
      and.add(new Predicate.In(c.path(), new ArrayList<>(t)));
    }
    if (and.isEmpty()) {
      return q;
    }
    if (q.predicate() != null) {
      and.add(0, q.predicate());
    }
    Predicate p = and.size() == 1 ? and.get(0) : new Predicate.And(and);
    return new ConvergeQuery(q.table(), q.columns(), p, q.ids(), q.aggregation(), q.outputs(),
        q.scalar(), q.order(), q.limit());
  }

  /** Rows by key: an {@code Object[]} row, or a {@code List<Object[]>} of rows sharing a key. */
  static Map<Object, Object> hash(Enumerable<Object[]> rows, int[] keys) {
    Map<Object, Object> t = new HashMap<>();
    try (Enumerator<Object[]> e = rows.enumerator()) {
      while (e.moveNext()) {
        Object[] row = e.current();
        Object key = key(row, keys);
        if (key == null) {
          continue;
        }
        Object old = t.putIfAbsent(key, row);
        if (old != null) {
          if (old instanceof Object[] first) {
            List<Object[]> list = new ArrayList<>(2);
            list.add(first);
            list.add(row);
            t.put(key, list);
          } else {
            @SuppressWarnings("unchecked")
            List<Object[]> list = (List<Object[]>) old;
            list.add(row);
          }
        }
      }
    }
    return t;
  }

  /** The key of a row: the value (one key) or a list of values; null when one of them is null. */
  private static Object key(Object[] row, int[] keys) {
    if (keys.length == 1) {
      return row[keys[0]];
    }
    Object[] k = new Object[keys.length];
    for (int i = 0; i < keys.length; i++) {
      k[i] = row[keys[i]];
      if (k[i] == null) {
        return null;
      }
    }
    return Arrays.asList(k);
  }

  /** Scans the fact rows and yields their joined rows. */
  private static final class Probe implements Enumerator<Object[]> {
    private final CollectionSnapshot snapshot;
    private final RowCursor cursor;
    /** Rows to keep when the scan visits every row (null: the cursor visits only those). */
    private final RoaringBitmap ridFilter;
    private final AtomicBoolean cancel;
    private final ConvergeColumn[] columns;
    private final List<Map<Object, Object>> tables;
    private final int[][] factKeys;
    /** Dimensions in probe order: smallest hash table first. */
    private final int[] order;
    /** Per fact column: whether a join key reads it (read before the probes). */
    private final boolean[] isKey;
    private final int width;
    private final int[] offsets;
    /** The fact row's values of the key columns (internal form), by fact column. */
    private final Object[] keyValues;
    /** Each dimension's match for the current fact row (Object[] or List). */
    private final Object[] matches;
    /** Result column -> star row position; null when they are the same. */
    private final int[] output;
    private final List<Object[]> pending = new ArrayList<>();
    private int pendingPos;
    private Object[] current;
    private long scanned;
    private boolean closed;

    Probe(DataContext root, Spec spec, ConvergeQuery q, List<Map<Object, Object>> tables,
        AtomicBoolean cancel) {
      this.columns = q.columns().toArray(new ConvergeColumn[0]);
      this.tables = tables;
      this.factKeys = spec.factKeys();
      this.cancel = cancel;
      Integer[] o = new Integer[tables.size()];
      for (int i = 0; i < o.length; i++) {
        o[i] = i;
      }
      Arrays.sort(o, (a, b) -> Integer.compare(tables.get(a).size(), tables.get(b).size()));
      this.order = Arrays.stream(o).mapToInt(Integer::intValue).toArray();
      this.isKey = new boolean[columns.length];
      for (int[] keys : factKeys) {
        for (int k : keys) {
          isKey[k] = true;
        }
      }
      this.offsets = new int[tables.size() + 1];
      offsets[0] = columns.length;
      for (int i = 0; i < tables.size(); i++) {
        offsets[i + 1] = offsets[i] + spec.dimWidths()[i];
      }
      this.width = offsets[tables.size()];
      int[] out = spec.output();
      boolean identity = out.length == width;
      for (int i = 0; identity && i < out.length; i++) {
        identity = out[i] == i;
      }
      this.output = identity ? null : out;
      this.keyValues = new Object[columns.length];
      this.matches = new Object[tables.size()];
      List<String> paths = new ArrayList<>(columns.length);
      for (ConvergeColumn c : columns) {
        paths.add(c.path());
      }
      // the statement's timeout, cancel and memory limit, checked at every segment of the scan
      CollectionSnapshot s = q.table().collection().snapshot()
          .guard(io.converge.adapter.ConvergeQueryGuards.of(root));
      try {
        RoaringBitmap rids = ConvergeMethods.rids(root, s, q);
        RoaringBitmap filter = null;
        if (rids != null) {
          double perSegment = rids.getLongCardinality() / (double) Math.max(1, s.segmentCount());
          if (perSegment > SPARSE_ROWS_PER_SEGMENT && perSegment <= ROW_STORE_ROWS_PER_SEGMENT) {
            filter = rids;
            rids = null;
          }
        }
        this.ridFilter = filter;
        this.cursor = rids == null ? s.scan(paths) : s.scan(paths, rids);
      } catch (RuntimeException | Error e) {
        s.close();
        throw e;
      }
      this.snapshot = s;
    }

    @Override
    public Object[] current() {
      return current;
    }

    @Override
    public boolean moveNext() {
      while (pendingPos >= pending.size()) {
        pending.clear();
        pendingPos = 0;
        if (!nextFactRow()) {
          current = null;
          return false;
        }
      }
      Object[] row = pending.get(pendingPos++);
      if (output != null) {
        Object[] projected = new Object[output.length];
        for (int i = 0; i < projected.length; i++) {
          projected[i] = row[output[i]];
        }
        row = projected;
      }
      current = row;
      return true;
    }

    /** Advances to the next fact row matching every dimension; its joined rows go to pending. */
    private boolean nextFactRow() {
      while (true) {
        if (closed) {
          return false;
        }
        if ((++scanned % CANCEL_CHECK_ROWS) == 0 && cancel != null && cancel.get()) {
          close();
          return false;
        }
        if (!cursor.next()) {
          close();
          return false;
        }
        if (ridFilter != null && !ridFilter.contains((int) cursor.rid())) {
          continue;
        }
        if (probe()) {
          emit();
          return true;
        }
      }
    }

    /** Looks the current fact row up in every dimension; false at the first miss. */
    private boolean probe() {
      for (int d : order) {
        int[] keys = factKeys[d];
        Object key;
        if (keys.length == 1) {
          key = keyValue(keys[0]);
          if (key == null) {
            return false;
          }
        } else {
          Object[] k = new Object[keys.length];
          for (int i = 0; i < keys.length; i++) {
            k[i] = keyValue(keys[i]);
            if (k[i] == null) {
              return false;
            }
          }
          key = Arrays.asList(k);
        }
        Object m = tables.get(d).get(key);
        if (m == null) {
          return false;
        }
        matches[d] = m;
      }
      return true;
    }

    private Object keyValue(int column) {
      Object v = columns[column].toInternal(cursor.get(column));
      keyValues[column] = v;
      return v;
    }

    /** The joined rows of the current fact row: its columns, then each dimension's match. */
    private void emit() {
      Object[] row = new Object[width];
      for (int i = 0; i < columns.length; i++) {
        row[i] = isKey[i] ? keyValues[i] : columns[i].toInternal(cursor.get(i));
      }
      pending.add(row);
      for (int d = 0; d < matches.length; d++) {
        Object m = matches[d];
        if (m instanceof Object[] one) {
          for (Object[] r : pending) {
            System.arraycopy(one, 0, r, offsets[d], one.length);
          }
        } else {
          @SuppressWarnings("unchecked")
          List<Object[]> many = (List<Object[]>) m;
          List<Object[]> out = new ArrayList<>(pending.size() * many.size());
          for (Object[] r : pending) {
            for (Object[] dim : many) {
              Object[] copy = r.clone();
              System.arraycopy(dim, 0, copy, offsets[d], dim.length);
              out.add(copy);
            }
          }
          pending.clear();
          pending.addAll(out);
        }
      }
    }

    @Override
    public void reset() {
      throw new UnsupportedOperationException("a Converge star join cannot be restarted");
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        snapshot.close();
      }
    }
  }
}
