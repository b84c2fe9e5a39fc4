package io.converge.storage.json;

import io.converge.storage.FieldType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a document into its leaves: one (path, value) per scalar or array, with nested objects
 * joined by dots ({@code customer.country}). Strings that are ISO date-times become
 * {@link Instant}s. Array elements that are objects or arrays become their JSON text, so an array
 * column holds scalars only. Objects themselves are recorded (type OBJECT) but are not leaves.
 */
public final class DocumentFlattener {
  /** Receives each path with the type of its value; values are normalized leaves. */
  public interface LeafConsumer {
    void leaf(String path, Object value);

    /** A path that holds an object (its leaves follow). */
    default void object(String path) {}
  }

  private DocumentFlattener() {}

  /** Flattens the user fields: {@code _id} and {@code _event_time} at top level are skipped. */
  public static void flatten(Map<String, Object> doc, LeafConsumer consumer) {
    walk(null, doc, consumer, true);
  }

  @SuppressWarnings("unchecked")
  private static void walk(String prefix, Map<String, Object> obj, LeafConsumer consumer,
      boolean top) {
    for (Map.Entry<String, Object> e : obj.entrySet()) {
      String key = e.getKey();
      if (top && (key.equals(DocumentPreparer.ID) || key.equals(DocumentPreparer.EVENT_TIME))) {
        continue;
      }
      String path = prefix == null ? key : prefix + '.' + key;
      Object v = e.getValue();
      if (v instanceof Map<?, ?> m) {
        consumer.object(path);
        walk(path, (Map<String, Object>) m, consumer, false);
      } else if (v instanceof List<?> list) {
        List<Object> elements = new ArrayList<>(list.size());
        for (Object el : list) {
          elements.add(normalizeElement(el));
        }
        consumer.leaf(path, elements);
      } else {
        consumer.leaf(path, normalizeScalar(v));
      }
    }
  }

  static Object normalizeScalar(Object v) {
    if (v instanceof String s) {
      Instant t = Timestamps.parse(s);
      return t != null ? t : s;
    }
    return v;
  }

  private static Object normalizeElement(Object v) {
    if (v instanceof Map || v instanceof List) {
      return JsonText.write(v);
    }
    return normalizeScalar(v);
  }

  /** The type of a normalized leaf or of an array element. */
  public static FieldType typeOf(Object v) {
    return FieldType.ofValue(v);
  }
}
