package io.converge.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.converge.storage.write.WriteSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer to {@code POST /v1/collections/{name}/docs}, sent once the accepted documents are
 * durable: how many were written (inserted new or replaced an existing {@code _id}), how many
 * were rejected, and one result per document of the body, in body order.
 */
@JsonPropertyOrder({"collection", "written", "inserted", "replaced", "errors", "results"})
record WriteResponse(String collection, int written, int inserted, int replaced, int errors,
    List<Result> results) {

  /**
   * One document's outcome: {@code _id} (the given one, or the generated one when the document
   * had none; absent when a rejected document had no usable {@code _id}), {@code status}
   * ({@code ok} or {@code error}), and for errors the reason and where the document was:
   * {@code line} of an NDJSON body, or {@code element} (1-based) of a JSON array.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"_id", "status", "error", "line", "element"})
  record Result(@JsonProperty("_id") String id, String status, String error, Long line,
      Long element) {}

  static final String OK = "ok";
  static final String ERROR = "error";

  static WriteResponse of(String collection, DocumentBatch batch, WriteSummary summary) {
    List<Result> results = new ArrayList<>(batch.items.size());
    for (DocumentBatch.Item i : batch.items) {
      if (i.ok()) {
        results.add(new Result(i.id(), OK, null, null, null));
      } else {
        results.add(new Result(i.id(), ERROR, i.error(), batch.array ? null : i.line(),
            batch.array ? i.line() : null));
      }
    }
    int inserted = summary == null ? 0 : summary.inserted();
    int replaced = summary == null ? 0 : summary.replaced();
    return new WriteResponse(collection, batch.accepted.size(), inserted, replaced,
        batch.rejected(), results);
  }
}
