package io.converge.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The answer to {@code POST /v1/collections/{name}/docs}, sent once the accepted documents are
 * durable: how many were written (inserted new or replaced an existing {@code _id}), how many
 * were rejected, and one result per document of the body, in body order.
 *
 * <p>A cluster aggregator answers the same fields except {@code inserted} and {@code replaced}
 * (appending to the log does not tell whether an {@code _id} existed), plus {@code fence}:
 * partition -> offset of the request's last acknowledged record in that partition.
 */
@JsonPropertyOrder({"collection", "written", "inserted", "replaced", "errors", "fence", "results"})
@JsonInclude(JsonInclude.Include.NON_NULL)
record WriteResponse(String collection, int written, Integer inserted, Integer replaced,
    int errors, Map<Integer, Long> fence, List<Result> results) {

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

  static WriteResponse of(String collection, DocumentBatch batch, WriteOutcome outcome) {
    List<Result> results = new ArrayList<>(batch.items.size());
    for (DocumentBatch.Item i : batch.items) {
      if (i.ok()) {
        results.add(new Result(i.id(), OK, null, null, null));
      } else {
        results.add(new Result(i.id(), ERROR, i.error(), batch.array ? null : i.line(),
            batch.array ? i.line() : null));
      }
    }
    return new WriteResponse(collection, batch.accepted.size(), outcome.inserted(),
        outcome.replaced(), batch.rejected(), outcome.fence(), results);
  }
}
