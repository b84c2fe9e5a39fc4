package io.converge.storage.json;

import io.converge.storage.encoding.DocumentCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Checks a parsed document and derives its system fields.
 * <ul>
 *   <li>{@code _id}: a string, or an integer (stored as its decimal text); generated (random UUID)
 *       when absent. Anything else rejects the document.
 *   <li>{@code _event_time}: an ISO-8601 date-time string or epoch milliseconds; the ingest time
 *       when absent.
 * </ul>
 */
public final class DocumentPreparer {
  public static final String ID = "_id";
  public static final String EVENT_TIME = "_event_time";
  /** Largest encoded document accepted, bytes ({@link DocumentLimits#DEFAULT_MAX_DOCUMENT_BYTES}). */
  public static final int DEFAULT_MAX_DOCUMENT_BYTES = DocumentLimits.DEFAULT_MAX_DOCUMENT_BYTES;

  private final int maxDocumentBytes;

  public DocumentPreparer() {
    this(DEFAULT_MAX_DOCUMENT_BYTES);
  }

  public DocumentPreparer(int maxDocumentBytes) {
    this.maxDocumentBytes = maxDocumentBytes;
  }

  /** Enforces the document size of {@code limits} (the reader enforces the others). */
  public DocumentPreparer(DocumentLimits limits) {
    this(limits.maxDocumentBytes());
  }

  public PreparedDocument prepare(Map<String, Object> doc, long nowMillis)
      throws InvalidDocumentException {
    return prepare(doc, nowMillis, null);
  }

  /** @param fallbackId id to use when the document has none (a Kafka key), or null to generate */
  public PreparedDocument prepare(Map<String, Object> doc, long nowMillis, String fallbackId)
      throws InvalidDocumentException {
    String id = idOf(doc.get(ID), doc.containsKey(ID));
    if (id == null) {
      id = fallbackId != null ? fallbackId : UUID.randomUUID().toString();
    }
    long eventTime = eventTimeOf(doc.get(EVENT_TIME), doc.containsKey(EVENT_TIME), nowMillis);
    byte[] row = DocumentCodec.encodeDocument(id, eventTime, doc);
    if (row.length > maxDocumentBytes) {
      throw new InvalidDocumentException("document " + abbreviate(id) + " is " + row.length
          + " bytes encoded, over the document size limit of " + maxDocumentBytes + " bytes");
    }
    List<String> paths = new ArrayList<>(doc.size());
    List<Object> values = new ArrayList<>(doc.size());
    List<String> objects = new ArrayList<>(2);
    DocumentFlattener.flatten(doc, new DocumentFlattener.LeafConsumer() {
      @Override
      public void leaf(String path, Object value) {
        paths.add(path);
        values.add(value);
      }

      @Override
      public void object(String path) {
        objects.add(path);
      }
    });
    checkWellFormed(paths);
    checkWellFormed(objects);
    return new PreparedDocument(id, eventTime, row, paths, values, objects);
  }

  /**
   * Field names become UTF-8 in the collection's state and rows: one with an unpaired surrogate
   * (a JSON escape can spell it) would turn into the name with '?' there, and after a restart
   * share that field.
   */
  private static void checkWellFormed(List<String> paths) throws InvalidDocumentException {
    for (String p : paths) {
      if (!io.converge.storage.encoding.Keys.isWellFormed(p)) {
        throw new InvalidDocumentException("field name " + abbreviate(p.replaceAll(
            "[\\uD800-\\uDFFF]", "\\\\u????")) + " contains an unpaired UTF-16 surrogate "
            + "(it has no UTF-8 form)");
      }
    }
  }

  static String idOf(Object v, boolean present) throws InvalidDocumentException {
    if (!present) {
      return null;
    }
    if (v instanceof String s) {
      if (s.isEmpty()) {
        throw new InvalidDocumentException("_id must not be empty");
      }
      if (s.length() > 1024) {
        throw new InvalidDocumentException("_id is longer than 1024 characters");
      }
      if (!io.converge.storage.encoding.Keys.isWellFormed(s)) {
        // its UTF-8 key would be the one of the same text with '?' in place of the surrogate
        throw new InvalidDocumentException("_id contains an unpaired UTF-16 surrogate (it has "
            + "no UTF-8 form)");
      }
      return s;
    }
    if (v instanceof Long l) {
      return Long.toString(l);
    }
    if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)
        && Math.abs(d) < 9.007199254740992E15) {
      return Long.toString(d.longValue());
    }
    throw new InvalidDocumentException("_id must be a string or an integer, not "
        + describe(v));
  }

  static long eventTimeOf(Object v, boolean present, long now) throws InvalidDocumentException {
    if (!present || v == null) {
      return now;
    }
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof String s) {
      Instant t = Timestamps.parse(s);
      if (t != null) {
        return t.toEpochMilli();
      }
      throw new InvalidDocumentException("_event_time '" + abbreviate(s)
          + "' is not an ISO-8601 date-time (for example 2026-11-25T10:15:30Z)");
    }
    throw new InvalidDocumentException(
        "_event_time must be an ISO-8601 string or epoch milliseconds, not " + describe(v));
  }

  private static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "an array";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof Double) {
      return "a fractional number";
    }
    return v.getClass().getSimpleName();
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
