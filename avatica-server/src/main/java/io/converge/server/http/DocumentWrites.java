package io.converge.server.http;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.write.WriteSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes and deletes documents of a store. A request's accepted documents go to storage in one
 * {@link ConvergeCollection#upsert} call: one atomic WriteBatch, synced to the WAL before it
 * returns, so the response is only sent for durable documents and a failure leaves none of them.
 */
final class DocumentWrites {
  private final ConvergeStore store;

  DocumentWrites(ConvergeStore store) {
    this.store = store;
  }

  /** Upserts the batch's accepted documents, creating the collection when it has some. */
  WriteResponse upsert(String collection, DocumentBatch batch) {
    WriteSummary summary = null;
    if (!batch.accepted.isEmpty()) {
      summary = store.getOrCreate(collection).upsert(batch.accepted);
    }
    return WriteResponse.of(collection, batch, summary);
  }

  /** Deletes one document; 404 when the collection or the document does not exist. */
  Map<String, Object> delete(String collection, String id) throws ApiException {
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

  ConvergeCollection existing(String collection) throws ApiException {
    ConvergeCollection c = store.collection(collection);
    if (c == null) {
      throw ApiException.notFound("no collection '" + collection + "'");
    }
    return c;
  }
}
