package io.converge.cluster.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Carries what a leaf's answer reflects ({@link io.converge.cluster.fragment.RowSink#applied}) in
 * the custom metadata of the stream's schema, as {@code partition:offset} pairs separated by
 * commas: the schema goes first on every stream, an empty answer's too, and before any row, so
 * that the aggregator has the offsets even when it stops reading early (a LIMIT).
 */
final class AppliedOffsets {
  /** The schema metadata key. */
  static final String KEY = "converge.applied";

  private AppliedOffsets() {}

  /** {@code schema} with {@code offsets} in its metadata (as it is when there are none). */
  static Schema with(Schema schema, Map<Integer, Long> offsets) {
    if (offsets.isEmpty()) {
      return schema;
    }
    StringBuilder b = new StringBuilder();
    for (Map.Entry<Integer, Long> e : new TreeMap<>(offsets).entrySet()) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(e.getKey()).append(':').append(e.getValue());
    }
    Map<String, String> metadata = new HashMap<>();
    if (schema.getCustomMetadata() != null) {
      metadata.putAll(schema.getCustomMetadata());
    }
    metadata.put(KEY, b.toString());
    return new Schema(schema.getFields(), metadata);
  }

  /**
   * The offsets in {@code schema}'s metadata, empty when it has none.
   *
   * @throws IllegalArgumentException when the value is not of the form {@link #with} writes
   */
  static Map<Integer, Long> of(Schema schema) {
    Map<String, String> metadata = schema.getCustomMetadata();
    String text = metadata == null ? null : metadata.get(KEY);
    if (text == null || text.isEmpty()) {
      return Map.of();
    }
    Map<Integer, Long> out = new TreeMap<>();
    for (String pair : text.split(",")) {
      int colon = pair.indexOf(':');
      try {
        int partition = Integer.parseInt(pair.substring(0, Math.max(0, colon)));
        long offset = Long.parseLong(pair.substring(colon + 1));
        if (partition < 0 || offset < 0) {
          throw new NumberFormatException();
        }
        out.put(partition, offset);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("schema metadata " + KEY + ": expected"
            + " partition:offset pairs, got " + text);
      }
    }
    return out;
  }
}
