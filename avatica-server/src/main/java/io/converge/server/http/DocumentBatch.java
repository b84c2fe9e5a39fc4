package io.converge.server.http;

import io.converge.storage.json.DocumentLimits;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.InvalidDocumentException;
import io.converge.storage.json.JsonDocumentReader;
import io.converge.storage.json.PreparedDocument;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The documents of one write request, in body order, each either prepared for writing or
 * rejected with a reason. Parsing is storage's {@link JsonDocumentReader} (JSON array or NDJSON,
 * by the first non-blank byte) and {@link DocumentPreparer} ({@code _id}, {@code _event_time},
 * size), the same code as {@code converge load}.
 *
 * <p>A body that is not readable JSON (syntax error, invalid UTF-8, duplicate keys, a number of
 * more than 1,000 characters, in a JSON array nesting beyond the parser's 1,000 levels) is refused
 * as a whole with a {@link JsonProblem}; a readable document that cannot be stored (not an object,
 * a bad {@code _id} or {@code _event_time}, beyond one of the {@link DocumentLimits}, a number
 * beyond the double range) is rejected alone.
 */
final class DocumentBatch {
  /** One document of the body: {@code document} when accepted, else {@code error}. */
  record Item(long line, String id, PreparedDocument document, Map<String, Object> source,
      String error) {
    boolean ok() {
      return document != null;
    }
  }

  final List<Item> items;
  final List<AcceptedDocument> accepted;
  /** True for a JSON array body, false for NDJSON. */
  final boolean array;

  private DocumentBatch(List<Item> items, boolean array, long nowMillis) {
    this.items = items;
    this.array = array;
    this.accepted = new ArrayList<>(items.size());
    for (Item i : items) {
      if (i.ok()) {
        accepted.add(new AcceptedDocument(i.document(), i.source(), nowMillis));
      }
    }
  }

  int rejected() {
    return items.size() - accepted.size();
  }

  /** {@link #parse(byte[], long, DocumentLimits)} with the default limits. */
  static DocumentBatch parse(byte[] body, long nowMillis) throws ApiException {
    return parse(body, nowMillis, DocumentLimits.DEFAULTS, false);
  }

  /**
   * Parses and prepares every document of the body; 400 when the body is not readable JSON.
   *
   * @param keepSources keep each accepted document's parsed map (see {@link AcceptedDocument})
   */
  static DocumentBatch parse(byte[] body, long nowMillis, DocumentLimits limits,
      boolean keepSources) throws ApiException {
    boolean array = NdjsonLines.firstNonBlank(body) == '[';
    List<Item> items = new ArrayList<>();
    DocumentPreparer preparer = new DocumentPreparer(limits);
    try (JsonDocumentReader reader = JsonDocumentReader.ofBytes(body, 0, body.length, limits)) {
      JsonDocumentReader.Entry e;
      while ((e = reader.next()) != null) {
        if (e.ok()) {
          items.add(prepare(preparer, e, nowMillis, keepSources));
        } else {
          if (!array) {
            refuseIfUnreadable(body, e.line());
          }
          items.add(new Item(e.line(), null, null, null, e.error()));
        }
      }
    } catch (JsonDocumentReader.MalformedJsonException m) {
      throw locate(body, array, m).toApiException();
    } catch (IOException e) {
      throw ApiException.badRequest("cannot read the body: " + e.getMessage());
    }
    return new DocumentBatch(items, array, nowMillis);
  }

  private static Item prepare(DocumentPreparer preparer, JsonDocumentReader.Entry e,
      long nowMillis, boolean keepSource) {
    Map<String, Object> doc = e.document();
    try {
      PreparedDocument d = preparer.prepare(doc, nowMillis);
      return new Item(e.line(), d.id(), d, keepSource ? doc : null, null);
    } catch (InvalidDocumentException ex) {
      Object id = doc.get(DocumentPreparer.ID);
      String shown = id instanceof String || id instanceof Long ? id.toString() : null;
      return new Item(e.line(), shown, null, null, ex.getMessage());
    }
  }

  /**
   * An NDJSON line the reader refused is either readable JSON that is not an object (that
   * document alone is rejected) or not JSON at all (the whole request is refused, with where).
   */
  private static void refuseIfUnreadable(byte[] body, long line) throws ApiException {
    int[] bounds = NdjsonLines.bounds(body, line);
    if (bounds == null) {
      return;
    }
    JsonProblem p = JsonProblem.firstProblem(body, bounds[0], bounds[1], 0);
    if (p != null) {
      throw p.toApiException();
    }
  }

  /** Pinpoints what made the reader stop, in bytes of the body. */
  private static JsonProblem locate(byte[] body, boolean array,
      JsonDocumentReader.MalformedJsonException m) {
    JsonProblem p = JsonProblem.invalidUtf8(body);
    if (p == null && array) {
      p = JsonProblem.firstProblem(body, 0, body.length, 1);
    }
    if (p == null) { // the reader's own words, its line and column
      String reason = m.getMessage();
      int at = reason.lastIndexOf(" at line ");
      p = new JsonProblem(at > 0 ? reason.substring(0, at) : reason, m.line, m.column,
          m.byteOffset);
    }
    return p;
  }
}
