package io.converge.adapter.write;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeColumnType;
import io.converge.adapter.ConvergeDeclaredTypes;
import io.converge.storage.Mutation;
import org.apache.calcite.rel.core.TableModify.Operation;
import io.converge.storage.CollectionSnapshot;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.InvalidDocumentException;
import io.converge.storage.json.PreparedDocument;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;

/**
 * Executes a planned SQL write against the collection, with the semantics of the HTTP and bulk
 * writers: INSERT upserts by {@code _id} (a row without one gets a generated id), UPDATE reads each
 * matched document whole, sets the assigned fields (NULL removes one) and upserts it, DELETE
 * deletes by {@code _id}. Rows are written in batches of {@link #BATCH} documents, each one atomic
 * and durable; a statement larger than a batch is not atomic as a whole.
 */
public final class ConvergeWrites {
  /** Documents per atomic write batch. */
  public static final int BATCH = 10_000;

  private ConvergeWrites() {}

  /** Runs the write; the number of rows inserted, updated or deleted. */
  public static Long apply(WriteSpec spec, Enumerable<Object[]> rows) {
    List<ConvergeColumn> columns = spec.table().columns();
    ConvergeCollection collection = spec.table().collection();
    if (spec.table().declared() != null && spec.operation() != Operation.INSERT) {
      return switch (spec.operation()) {
        case DELETE -> deleteDeclared(collection, columns, rows);
        case UPDATE -> updateDeclared(collection, columns, spec.updatedColumns(), rows);
        default -> throw new UnsupportedOperationException(
            spec.operation() + " is not supported on a Converge collection");
      };
    }
    return switch (spec.operation()) {
      case INSERT -> insert(collection, columns, rows);
      case DELETE -> delete(collection, rows);
      case UPDATE -> update(collection, columns, spec.updatedColumns(), rows);
      default -> throw new UnsupportedOperationException(
          spec.operation() + " is not supported on a Converge collection");
    };
  }

  private static long insert(ConvergeCollection collection, List<ConvergeColumn> columns,
      Enumerable<Object[]> rows) {
    DocumentPreparer preparer = new DocumentPreparer();
    long now = System.currentTimeMillis();
    Batches<PreparedDocument> batch = new Batches<>(BATCH, docs -> {
      collection.upsert(docs);
      return docs.size();
    });
    long count = 0;
    try (Enumerator<Object[]> e = rows.enumerator()) {
      while (e.moveNext()) {
        Object[] row = e.current();
        Map<String, Object> doc = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
          Object v = stored(row[i], columns.get(i));
          if (v != null) {
            put(doc, columns.get(i).path(), v);
          }
        }
        batch.add(prepare(preparer, doc, now, count));
        count++;
      }
    }
    batch.finish();
    return count;
  }

  private static long delete(ConvergeCollection collection, Enumerable<Object[]> rows) {
    Batches<String> ids = new Batches<>(BATCH, collection::delete);
    try (Enumerator<Object[]> e = rows.enumerator()) {
      while (e.moveNext()) {
        ids.add((String) e.current()[0]);
      }
    }
    return ids.finish();
  }

  private static long update(ConvergeCollection collection, List<ConvergeColumn> columns,
      List<String> updated, Enumerable<Object[]> rows) {
    ConvergeColumn[] targets = new ConvergeColumn[updated.size()];
    for (int j = 0; j < targets.length; j++) {
      targets[j] = column(columns, updated.get(j));
      if (targets[j].path().equals(CollectionSnapshot.ID)) {
        throw new IllegalArgumentException("UPDATE cannot set _id (it identifies the document;"
            + " INSERT a copy under the new _id and DELETE the old one instead)");
      }
    }
    DocumentPreparer preparer = new DocumentPreparer();
    long now = System.currentTimeMillis();
    Batches<PreparedDocument> batch = new Batches<>(BATCH, docs -> {
      collection.upsert(docs);
      return docs.size();
    });
    long count = 0;
    try (CollectionSnapshot snapshot = collection.snapshot();
        Enumerator<Object[]> e = rows.enumerator()) {
      while (e.moveNext()) {
        Object[] row = e.current();
        Map<String, Object> doc = snapshot.document((String) row[0]);
        if (doc == null) {
          continue; // deleted since the rows were read
        }
        doc = new LinkedHashMap<>(doc);
        for (int j = 0; j < targets.length; j++) {
          set(doc, targets[j].path(), stored(row[columns.size() + j], targets[j]));
        }
        batch.add(prepare(preparer, doc, now, count));
        count++;
      }
    }
    batch.finish();
    return count;
  }

  /**
   * The documents of a declared table by their column values (the table has no {@code _id}
   * column). A DELETE or UPDATE decides each row by its values alone, so rows with equal values
   * are all chosen or none; each input row takes one document of its values.
   */
  private static Map<List<Object>, java.util.ArrayDeque<String>> idsByValues(
      io.converge.storage.CollectionSnapshot snapshot, List<ConvergeColumn> columns) {
    List<String> paths = new ArrayList<>(columns.size() + 1);
    for (ConvergeColumn c : columns) {
      paths.add(c.path());
    }
    paths.add(CollectionSnapshot.ID);
    Map<List<Object>, java.util.ArrayDeque<String>> out = new java.util.HashMap<>();
    io.converge.storage.RowCursor cursor = snapshot.scan(paths);
    while (cursor.next()) {
      List<Object> key = new ArrayList<>(columns.size());
      for (int i = 0; i < columns.size(); i++) {
        key.add(columns.get(i).toInternal(cursor.get(i)));
      }
      out.computeIfAbsent(key, k -> new java.util.ArrayDeque<>())
          .add((String) cursor.get(columns.size()));
    }
    return out;
  }

  private static String takeId(Map<List<Object>, java.util.ArrayDeque<String>> ids, Object[] row,
      int width) {
    List<Object> key = new ArrayList<>(width);
    for (int i = 0; i < width; i++) {
      key.add(row[i]);
    }
    java.util.ArrayDeque<String> q = ids.get(key);
    return q == null ? null : q.poll();
  }

  private static long deleteDeclared(ConvergeCollection collection, List<ConvergeColumn> columns,
      Enumerable<Object[]> rows) {
    Batches<String> ids = new Batches<>(BATCH, collection::delete);
    try (CollectionSnapshot snapshot = collection.snapshot();
        Enumerator<Object[]> e = rows.enumerator()) {
      Map<List<Object>, java.util.ArrayDeque<String>> byValues = null;
      while (e.moveNext()) {
        if (byValues == null) {
          byValues = idsByValues(snapshot, columns);
        }
        String id = takeId(byValues, e.current(), columns.size());
        if (id == null) {
          continue; // deleted since the rows were read
        }
        ids.add(id);
      }
    }
    return ids.finish();
  }

  private static long updateDeclared(ConvergeCollection collection, List<ConvergeColumn> columns,
      List<String> updated, Enumerable<Object[]> rows) {
    int[] targets = new int[updated.size()];
    for (int j = 0; j < targets.length; j++) {
      targets[j] = columns.indexOf(column(columns, updated.get(j)));
    }
    DocumentPreparer preparer = new DocumentPreparer();
    long now = System.currentTimeMillis();
    // Each replaced row is a delete and an upsert, kept in the same batch.
    Batches<Mutation> batch = new Batches<>(2 * BATCH, mutations -> {
      collection.write(mutations, null);
      return mutations.size();
    });
    long count = 0;
    try (CollectionSnapshot snapshot = collection.snapshot();
        Enumerator<Object[]> e = rows.enumerator()) {
      Map<List<Object>, java.util.ArrayDeque<String>> byValues = null;
      while (e.moveNext()) {
        if (byValues == null) {
          byValues = idsByValues(snapshot, columns);
        }
        Object[] row = e.current();
        String id = takeId(byValues, row, columns.size());
        if (id == null) {
          continue;
        }
        Object[] next = java.util.Arrays.copyOf(row, columns.size());
        for (int j = 0; j < targets.length; j++) {
          next[targets[j]] = row[columns.size() + j];
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put(CollectionSnapshot.ID, id);
        for (int i = 0; i < columns.size(); i++) {
          Object v = stored(next[i], columns.get(i));
          if (v != null) {
            doc.put(columns.get(i).path(), v);
          }
        }
        // A new primary key gives the row a new _id: the old document goes.
        PreparedDocument d = prepare(preparer, doc, now, count);
        batch.addAll(List.of(Mutation.delete(id), Mutation.upsert(d)));
        count++;
      }
    }
    batch.finish();
    return count;
  }

  private static ConvergeColumn column(List<ConvergeColumn> columns, String name) {
    for (ConvergeColumn c : columns) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    for (ConvergeColumn c : columns) {
      if (c.name().equalsIgnoreCase(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("no column " + name);
  }

  private static PreparedDocument prepare(DocumentPreparer preparer, Map<String, Object> doc,
      long now, long rowNumber) {
    try {
      return preparer.prepare(doc, now);
    } catch (InvalidDocumentException ex) {
      throw new IllegalArgumentException("row " + (rowNumber + 1) + ": " + ex.getMessage(), ex);
    }
  }

  /** A value in Calcite's internal form as the storage layer keeps it, for a column's type. */
  public static Object stored(Object v, ConvergeColumn column) {
    if (column.declared() != null) {
      return ConvergeDeclaredTypes.toStored(column.declared(), v);
    }
    return stored(v, column.type(), column.elementType());
  }

  private static Object stored(Object v, ConvergeColumnType type, ConvergeColumnType element) {
    if (v == null) {
      return null;
    }
    switch (type) {
      case TIMESTAMP:
        if (v instanceof java.sql.Timestamp t) {
          return t.toInstant();
        }
        return v instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : v;
      case BIGINT:
        return v instanceof Number n ? (Object) n.longValue() : v;
      case DOUBLE:
        return v instanceof Number n ? (Object) n.doubleValue() : v;
      case ARRAY:
        if (v instanceof List<?> list) {
          List<Object> out = new ArrayList<>(list.size());
          for (Object o : list) {
            out.add(stored(o, element == null ? ConvergeColumnType.TEXT : element, null));
          }
          return out;
        }
        return v;
      default:
        if (v instanceof BigDecimal d) {
          return d.scale() <= 0 ? (Object) d.longValueExact() : (Object) d.doubleValue();
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
          return ((Number) v).longValue();
        }
        return v;
    }
  }

  /** Puts a value at a dotted path, creating the enclosing objects. */
  @SuppressWarnings("unchecked")
  public static void put(Map<String, Object> doc, String path, Object value) {
    if (path.startsWith("_")) {
      doc.put(path, value); // system fields are top-level
      return;
    }
    String[] parts = path.split("\\.", -1);
    Map<String, Object> at = doc;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = at.get(parts[i]);
      if (!(next instanceof Map)) {
        next = new LinkedHashMap<String, Object>();
        at.put(parts[i], next);
      }
      at = (Map<String, Object>) next;
    }
    at.put(parts[parts.length - 1], value);
  }

  /**
   * Sets (or, for null, removes) the value at a dotted path of a stored document: a key holding
   * the whole path wins over nested objects, as the flattener reads both the same way.
   */
  @SuppressWarnings("unchecked")
  static void set(Map<String, Object> doc, String path, Object value) {
    if (doc.containsKey(path) || !path.contains(".")) {
      if (value == null) {
        doc.remove(path);
      } else {
        doc.put(path, value);
      }
      return;
    }
    String[] parts = path.split("\\.", -1);
    Map<String, Object> at = doc;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = at.get(parts[i]);
      if (!(next instanceof Map)) {
        if (value == null) {
          return; // nothing to remove
        }
        next = new LinkedHashMap<String, Object>();
        at.put(parts[i], next);
      } else {
        next = new LinkedHashMap<>((Map<String, Object>) next);
        at.put(parts[i], next);
      }
      at = (Map<String, Object>) next;
    }
    if (value == null) {
      at.remove(parts[parts.length - 1]);
    } else {
      at.put(parts[parts.length - 1], value);
    }
  }

  /**
   * Items handed to {@code write} {@code size} at a time (each call one atomic batch of the
   * store), the rest at {@link #finish}; counts what {@code write} returns.
   */
  private static final class Batches<T> {
    private final int size;
    private final ToLongFunction<List<T>> write;
    private final List<T> pending = new ArrayList<>();
    private long written;

    Batches(int size, ToLongFunction<List<T>> write) {
      this.size = size;
      this.write = write;
    }

    void add(T item) {
      pending.add(item);
      flushIfFull();
    }

    /** Adds {@code items} together: a full batch is written only after all of them. */
    void addAll(List<T> items) {
      pending.addAll(items);
      flushIfFull();
    }

    /** Writes what is pending; returns the sum of what every write returned. */
    long finish() {
      if (!pending.isEmpty()) {
        flush();
      }
      return written;
    }

    private void flushIfFull() {
      if (pending.size() >= size) {
        flush();
      }
    }

    private void flush() {
      written += write.applyAsLong(pending);
      pending.clear();
    }
  }
}
