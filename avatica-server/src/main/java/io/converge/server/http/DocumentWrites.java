package io.converge.server.http;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.write.WriteSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes and deletes documents of a local store. A request's accepted documents go to storage in
 * one {@link ConvergeCollection#upsert} call: one atomic WriteBatch, synced to the WAL before it
 * returns, so the response is only sent for durable documents and a failure leaves none of them.
 */
public final class DocumentWrites implements DocumentService {
  private final ConvergeStore store;

  public DocumentWrites(ConvergeStore store) {
    this.store = store;
  }

  @Override
  public WriteOutcome upsert(String collection, List<AcceptedDocument> documents) {
    List<PreparedDocument> prepared = new ArrayList<>(documents.size());
    for (AcceptedDocument d : documents) {
      prepared.add(d.prepared());
    }
    WriteSummary summary = store.getOrCreate(collection).upsert(prepared);
    return new WriteOutcome(summary.inserted(), summary.replaced(), null);
  }

  @Override
  public Map<String, Object> delete(String collection, String id) throws ApiException {
    ConvergeCollection c = existing(collection);
    if (c.delete(List.of(id)) == 0) {
      throw ApiException.notFound("no document with _id '" + id + "' in collection '"
          + collection + "'");
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("collection", collection);
    answer.put("_id", id);
    answer.put("deleted", true);
    return answer;
  }

  @Override
  public Map<String, Long> collections() {
    Map<String, Long> list = new LinkedHashMap<>();
    for (String name : store.collectionNames()) {
      ConvergeCollection c = store.collection(name);
      if (c != null) { // dropped meanwhile
        list.put(name, c.documentCount());
      }
    }
    return list;
  }

  /** Its writes are in the store when answered: only the fence's collections are checked. */
  @Override
  public void awaitFence(FenceParameter fence) throws ApiException {
    for (String collection : fence.offsets().keySet()) {
      if (store.collection(collection) == null) {
        throw ApiException.notFound("no collection '" + collection + "' (named in the fence)");
      }
    }
  }

  @Override
  public CollectionSchema describe(String collection) throws ApiException {
    return existing(collection).schema();
  }

  @Override
  public String unusableMessage() {
    String reason = store.unusableReason();
    return reason == null ? null : "the data directory " + store.directory() + " is unusable"
        + " after a storage failure (" + reason + "); nothing more is written or read until the"
        + " server is restarted once the cause (a full disk, an I/O error, a corrupt file) is"
        + " fixed; acknowledged writes are kept in the write-ahead log";
  }

  private ConvergeCollection existing(String collection) throws ApiException {
    ConvergeCollection c = store.collection(collection);
    if (c == null) {
      throw ApiException.notFound("no collection '" + collection + "'");
    }
    return c;
  }
}
