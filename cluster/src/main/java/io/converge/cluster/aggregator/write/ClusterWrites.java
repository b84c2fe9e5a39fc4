package io.converge.cluster.aggregator.write;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.write.ConvergeWrites;
import io.converge.cluster.aggregator.session.ClusterSession;
import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.CatalogLog;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.InvalidDocumentException;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.schema.DeclaredSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.core.TableModify.Operation;

/**
 * Executes a planned SQL write of the cluster by producing to the collection's topic, with the
 * semantics of the one-process writer:
 * <ul>
 *   <li>INSERT: one document per row, keyed by its {@code _id} (generated when the row has none);
 *   <li>UPDATE: the whole new version of each matched document, built from the row the query read
 *       (every column of the table) with the assigned columns replaced (NULL removes a field);
 *   <li>DELETE: a tombstone per matched {@code _id}.
 * </ul>
 * The statement's count is returned once Kafka acknowledged every record of a batch of
 * {@link #BATCH}; a statement larger than a batch is not atomic as a whole, and a Kafka failure
 * fails the statement. Concurrent UPDATEs of one document are last-writer-wins: each writes the
 * version it computed from what it read, and the one Kafka appends last is the one kept.
 *
 * <p>Also the registry of each running aggregator's writer (catalog, producer, default
 * partitions), by Kafka bootstrap, where the generated code of a plan finds it.
 */
public final class ClusterWrites {
  /** Documents per acknowledged batch. */
  public static final int BATCH = 10_000;

  /** An aggregator's means of writing. */
  public record Writer(CatalogLog catalog, DocumentProducer producer, int partitions) {}

  private static final Map<String, Writer> WRITERS = new ConcurrentHashMap<>();

  private ClusterWrites() {}

  /** Makes an aggregator's writer the one of {@code bootstrap}; AggregatorNode calls it. */
  public static void register(String bootstrap, CatalogLog catalog, DocumentProducer producer,
      int partitions) {
    WRITERS.put(bootstrap, new Writer(catalog, producer, partitions));
  }

  /** Forgets the writer of {@code bootstrap} (its aggregator stopped). */
  public static void unregister(String bootstrap) {
    WRITERS.remove(bootstrap);
  }

  /**
   * The writer of {@code bootstrap}, or with null the one writer of this process.
   *
   * @throws IllegalStateException when there is none, or several and no bootstrap says which
   */
  public static Writer writer(String bootstrap) {
    if (bootstrap != null) {
      Writer w = WRITERS.get(bootstrap);
      if (w != null) {
        return w;
      }
    }
    List<Writer> all = List.copyOf(WRITERS.values());
    if (all.size() == 1) {
      return all.get(0);
    }
    throw new IllegalStateException(all.isEmpty()
        ? "no aggregator runs in this process: SQL writes need one"
        : "several aggregators run in this process and the table does not say which cluster it"
            + " belongs to");
  }

  /**
   * {@link #apply(ClusterWriteSpec, Enumerable)} for the statement running with {@code root}:
   * each acknowledged batch's fence goes to the statement's session, whose later reads then wait
   * for it ({@link ClusterSession}). Called by generated code.
   */
  public static Long apply(DataContext root, ClusterWriteSpec spec, Enumerable<Object[]> rows) {
    return apply(spec, rows, fence -> ClusterSession.wrote(root, spec.collection(), fence));
  }

  /** Runs the write; the number of rows inserted, updated or deleted. */
  public static Long apply(ClusterWriteSpec spec, Enumerable<Object[]> rows) {
    return apply(spec, rows, fence -> { });
  }

  private static Long apply(ClusterWriteSpec spec, Enumerable<Object[]> rows,
      Consumer<Map<Integer, Long>> acknowledged) {
    Writer writer = writer(spec.bootstrap());
    CatalogEntry entry = entry(writer, spec.collection());
    DeclaredSchema declared = CatalogLog.declaredSchema(entry);
    if (declared != null && spec.operation() != Operation.INSERT) {
      throw new UnsupportedOperationException(spec.operation() + " of a CREATE TABLE collection"
          + " is not supported by the cluster yet (INSERT is)");
    }
    Batch batch = new Batch(writer.producer(), spec.collection(), acknowledged);
    List<ConvergeColumn> columns = spec.columns();
    int idColumn = idColumn(columns);
    DocumentPreparer preparer = new DocumentPreparer();
    long now = System.currentTimeMillis();
    ConvergeColumn[] targets = updatedColumns(columns, spec);
    long count = 0;
    try (Enumerator<Object[]> e = rows.enumerator()) {
      while (e.moveNext()) {
        Object[] row = e.current();
        switch (spec.operation()) {
          case INSERT -> batch.add(document(preparer, declared, spec.collection(),
              document(columns, row, null, null), now, count));
          case DELETE -> batch.add(new DocumentProducer.DocumentRecord(
              (String) row[requireId(idColumn)], null, now));
          case UPDATE -> {
            Map<String, Object> doc = document(columns, row, targets, row);
            batch.add(document(preparer, null, spec.collection(), doc, now, count));
          }
          default -> throw new UnsupportedOperationException(spec.operation()
              + " is not supported on a Converge collection");
        }
        count++;
      }
    }
    batch.finish();
    return count;
  }

  private static CatalogEntry entry(Writer writer, String collection) {
    CatalogEntry entry = writer.catalog().collection(collection);
    if (entry != null) {
      return entry;
    }
    try {
      return writer.catalog().create(collection, writer.partitions(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating collection '" + collection
          + "'", e);
    }
  }

  private static int idColumn(List<ConvergeColumn> columns) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).path().equals(DocumentPreparer.ID)) {
        return i;
      }
    }
    return -1;
  }

  private static int requireId(int idColumn) {
    if (idColumn < 0) {
      throw new UnsupportedOperationException("this table has no _id column to write by");
    }
    return idColumn;
  }

  private static ConvergeColumn[] updatedColumns(List<ConvergeColumn> columns,
      ClusterWriteSpec spec) {
    List<String> names = spec.updatedColumns() == null ? List.of() : spec.updatedColumns();
    ConvergeColumn[] targets = new ConvergeColumn[names.size()];
    for (int j = 0; j < targets.length; j++) {
      targets[j] = column(columns, names.get(j));
      if (targets[j].path().equals(DocumentPreparer.ID)) {
        throw new IllegalArgumentException("UPDATE cannot set _id (it identifies the document;"
            + " INSERT a copy under the new _id and DELETE the old one instead)");
      }
    }
    return targets;
  }

  /**
   * A row's document: every non-null column at its path, then for UPDATE the assigned columns
   * (their values after the table's columns in {@code row}) set or, for NULL, removed.
   */
  private static Map<String, Object> document(List<ConvergeColumn> columns, Object[] row,
      ConvergeColumn[] targets, Object[] assigned) {
    Map<String, Object> doc = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      boolean replaced = false;
      if (targets != null) {
        for (ConvergeColumn t : targets) {
          replaced |= t == columns.get(i);
        }
      }
      Object v = replaced ? null : ConvergeWrites.stored(row[i], columns.get(i));
      if (v instanceof java.time.Instant t && columns.get(i).path().equals(
          DocumentPreparer.EVENT_TIME)) {
        v = t.toEpochMilli(); // the form a document's _event_time takes
      }
      if (v != null) {
        ConvergeWrites.put(doc, columns.get(i).path(), v);
      }
    }
    if (targets != null) {
      for (int j = 0; j < targets.length; j++) {
        Object v = ConvergeWrites.stored(assigned[columns.size() + j], targets[j]);
        if (v != null) {
          ConvergeWrites.put(doc, targets[j].path(), v);
        }
      }
    }
    return doc;
  }

  private static DocumentProducer.DocumentRecord document(DocumentPreparer preparer,
      DeclaredSchema declared, String collection, Map<String, Object> doc, long now,
      long rowNumber) {
    PreparedDocument d;
    try {
      d = preparer.prepare(doc, now);
    } catch (InvalidDocumentException ex) {
      throw new IllegalArgumentException("row " + (rowNumber + 1) + ": " + ex.getMessage(), ex);
    }
    String id = declared == null ? d.id() : declared.conform(d, collection).id();
    if (!id.equals(doc.get(DocumentPreparer.ID))) {
      Map<String, Object> withId = new LinkedHashMap<>(doc.size() + 1);
      withId.put(DocumentPreparer.ID, id);
      doc.forEach((k, v) -> {
        if (!k.equals(DocumentPreparer.ID)) {
          withId.put(k, v);
        }
      });
      doc = withId;
    }
    return new DocumentProducer.DocumentRecord(id, doc, d.eventTimeMillis());
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

  /** Records sent {@link #BATCH} at a time, each batch acknowledged before the next. */
  private static final class Batch {
    private final DocumentProducer producer;
    private final String collection;
    private final List<DocumentProducer.DocumentRecord> pending = new ArrayList<>();
    private final Consumer<Map<Integer, Long>> acknowledged;

    Batch(DocumentProducer producer, String collection,
        Consumer<Map<Integer, Long>> acknowledged) {
      this.producer = producer;
      this.collection = collection;
      this.acknowledged = acknowledged;
    }

    void add(DocumentProducer.DocumentRecord r) {
      pending.add(r);
      if (pending.size() >= BATCH) {
        finish();
      }
    }

    void finish() {
      if (!pending.isEmpty()) {
        acknowledged.accept(producer.write(collection, pending));
        io.converge.server.metrics.IngestMetrics.ingested(collection,
            io.converge.server.metrics.IngestMetrics.SQL, pending.size());
        pending.clear();
      }
    }
  }
}
