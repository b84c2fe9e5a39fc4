package io.converge.cluster.aggregator.write;

import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.FenceShortfall;
import io.converge.cluster.log.FieldStats;
import io.converge.server.http.AcceptedDocument;
import io.converge.server.http.ApiException;
import io.converge.server.http.DocumentService;
import io.converge.server.http.FenceParameter;
import io.converge.server.http.WriteOutcome;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.schema.DeclaredSchema;
import io.converge.storage.schema.DeclaredSchemaException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HTTP API of an aggregator: accepted documents go to the collection's data topic, keyed by
 * {@code _id}, through the shared {@link DocumentProducer}; the answer comes once Kafka
 * acknowledged all of them and carries their fence. Listings come from the {@link ClusterView}.
 *
 * <p>A record's value is the document as sent, with {@code _id} added when it had none (the id
 * generated here, as one process generates it), and its timestamp is the request's arrival: a
 * leaf takes {@code _event_time} from the value, else from the timestamp, so every replica stores
 * what one process would. A document of a {@code CREATE TABLE} collection that does not fit its
 * declared schema is refused here (400, nothing written), as on one process.
 */
public final class KafkaDocumentService implements DocumentService {
  /** What a 503 tells a client to wait before sending again: Kafka restarting, a leader moving. */
  private static final int RETRY_AFTER_SECONDS = 1;
  private final CatalogLog catalog;
  private final DocumentProducer producer;
  private final ClusterView view;
  private final DocumentLookup lookup;
  private final int defaultPartitions;

  /**
   * @param defaultPartitions partitions of the topic of a collection the first write creates
   */
  public KafkaDocumentService(CatalogLog catalog, DocumentProducer producer, ClusterView view,
      DocumentLookup lookup, int defaultPartitions) {
    this.catalog = catalog;
    this.producer = producer;
    this.view = view;
    this.lookup = lookup;
    this.defaultPartitions = defaultPartitions;
  }

  @Override
  public WriteOutcome upsert(String collection, List<AcceptedDocument> documents)
      throws ApiException {
    CatalogEntry entry = catalog.collection(collection);
    if (entry == null) {
      entry = create(collection);
    }
    DeclaredSchema declared = CatalogLog.declaredSchema(entry);
    List<DocumentProducer.DocumentRecord> records = new ArrayList<>(documents.size());
    int n = 0;
    for (AcceptedDocument d : documents) {
      n++;
      String id = declared == null ? d.prepared().id() : conformedId(declared, collection, d, n,
          documents.size());
      records.add(new DocumentProducer.DocumentRecord(id, value(d.source(), id),
          d.receivedMillis()));
    }
    return new WriteOutcome(null, null, write(collection, records));
  }

  /**
   * The {@code _id} a declared table gives the document; refuses it, and so the request, when it
   * does not fit, in the words of one process.
   */
  private static String conformedId(DeclaredSchema declared, String collection,
      AcceptedDocument d, int n, int of) {
    try {
      return declared.conform(d.prepared(), collection).id();
    } catch (DeclaredSchemaException e) {
      throw new DeclaredSchemaException((of > 1 ? "document " + n + " of " + of + " (_id "
          + d.prepared().id() + "): " : "") + e.getMessage()
          + "; nothing of this batch was written");
    }
  }

  @Override
  public WriteOutcome nothingWritten() {
    return new WriteOutcome(null, null, Map.of());
  }

  @Override
  public Map<String, Object> delete(String collection, String id) throws ApiException {
    if (catalog.collection(collection) == null) {
      throw ApiException.notFound("no collection '" + collection + "'");
    }
    // The tombstone is written whether or not the leaves show the document yet: a delete that
    // follows its document's write closely must not be lost to a lookup that ran before the
    // leaves applied that write. Kafka's order decides, as for every write (last writer wins).
    // The lookup runs first, so the answer says whether the document was there before.
    boolean existed;
    try {
      existed = lookup.exists(collection, id);
    } catch (RuntimeException e) {
      existed = true; // unknown; the delete itself is written
    }
    Map<Integer, Long> fence = write(collection, List.of(
        new DocumentProducer.DocumentRecord(id, null, System.currentTimeMillis())));
    if (!existed) {
      throw ApiException.notFound("no document with _id '" + id + "' in collection '"
          + collection + "' (a tombstone was written all the same)");
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("collection", collection);
    answer.put("_id", id);
    answer.put("deleted", true);
    answer.put("fence", fence);
    return answer;
  }

  @Override
  public Map<String, Long> collections() {
    Map<String, Long> list = new TreeMap<>();
    for (String name : view.collections().keySet()) {
      ClusterView.MergedSchema s = view.schema(name);
      list.put(name, s == null ? 0 : s.documentCount());
    }
    return list;
  }

  @Override
  public CollectionSchema describe(String collection) throws ApiException {
    if (!view.collections().containsKey(collection)) {
      throw ApiException.notFound("no collection '" + collection + "'");
    }
    ClusterView.MergedSchema s = view.schema(collection);
    return s == null ? FieldStats.schema(collection, 0, 0, List.of())
        : FieldStats.schema(collection, s.version(), s.documentCount(), s.fields());
  }

  /**
   * Waits until the shards the counts and fields come from have applied the fence. They are
   * known from the leaves' announcements (about every second), so a fenced read waits up to a
   * second longer than a fenced SQL query, which asks the leaves themselves.
   */
  @Override
  public void awaitFence(FenceParameter fence) throws ApiException {
    long start = System.currentTimeMillis();
    long until = start + fence.waitMillis();
    for (Map.Entry<String, Map<Integer, Long>> c : fence.offsets().entrySet()) {
      if (!view.collections().containsKey(c.getKey())) {
        throw ApiException.notFound("no collection '" + c.getKey() + "' (named in the fence)");
      }
      for (Map.Entry<Integer, Long> p : c.getValue().entrySet()) {
        long next;
        while ((next = view.schema(c.getKey()).nextOffsets().getOrDefault(p.getKey(), 0L))
            <= p.getValue()) {
          long now = System.currentTimeMillis();
          if (now >= until) {
            throw new ApiException(503, FenceShortfall.message(c.getKey(), p.getKey(), next,
                p.getValue(), now - start) + "; readWaitMs sets the bound")
                .retryAfter(RETRY_AFTER_SECONDS);
          }
          try {
            Thread.sleep(Math.min(20, until - now));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while the read waited for its fence");
          }
        }
      }
    }
  }

  @Override
  public boolean needsSources() {
    return true;
  }

  private CatalogEntry create(String collection) throws ApiException {
    try {
      return catalog.create(collection, defaultPartitions, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted while creating collection '" + collection + "'");
    } catch (RuntimeException e) {
      throw new ApiException(503, "cannot create collection '" + collection + "' in Kafka: "
          + e.getMessage()).retryAfter(RETRY_AFTER_SECONDS);
    }
  }

  private Map<Integer, Long> write(String collection, List<DocumentProducer.DocumentRecord> r)
      throws ApiException {
    try {
      return producer.write(collection, r);
    } catch (LogWriteException e) {
      throw new ApiException(503, e.getMessage() + "; nothing of this request is acknowledged")
          .retryAfter(RETRY_AFTER_SECONDS);
    }
  }

  /** The record's document: the document as sent, with its {@code _id} when it had none. */
  static Map<String, Object> value(Map<String, Object> source, String id) {
    if (source.containsKey(DocumentPreparer.ID)) {
      return source;
    }
    Map<String, Object> doc = new LinkedHashMap<>(source.size() + 1);
    doc.put(DocumentPreparer.ID, id);
    doc.putAll(source);
    return doc;
  }
}
