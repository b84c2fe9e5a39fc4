package io.converge.storage.json;

import io.converge.storage.schema.FieldType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

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
      String path = prefix == null ? key : nestedPath(prefix, key);
      Object v = e.getValue();
      if (v instanceof Map<?, ?> m) {
        consumer.object(path);
        walk(path, (Map<String, Object>) m, consumer, false);
      } else {
        consumer.leaf(path, normalizeLeaf(v));
      }
    }
  }

  /**
   * The normalized leaf {@link #flatten} would report for {@code path}, or null (no such leaf, or
   * an object there). Walks only the keys on the way to the path, so reading a few fields of a
   * document costs no more than those fields. When two keys flatten to the same path (a key
   * {@code "a.b"} next to an object {@code a} with a key {@code b}), the later one wins, as in
   * {@link #flatten}.
   */
  public static Object leafAt(Map<String, Object> doc, String path) {
    return leafAt(doc, path, 0, true);
  }

  @SuppressWarnings("unchecked")
  private static Object leafAt(Map<String, Object> obj, String path, int from, boolean top) {
    Object found = null;
    for (Map.Entry<String, Object> e : obj.entrySet()) {
      String key = e.getKey();
      if (!path.startsWith(key, from)) {
        continue;
      }
      if (top && (key.equals(DocumentPreparer.ID) || key.equals(DocumentPreparer.EVENT_TIME))) {
        continue;
      }
      int end = from + key.length();
      Object v = e.getValue();
      if (end == path.length()) {
        found = normalizeLeaf(v);
      } else if (path.charAt(end) == '.' && v instanceof Map<?, ?> m) {
        Object inner = leafAt((Map<String, Object>) m, path, end + 1, false);
        if (inner != null) {
          found = inner;
        }
      }
    }
    return found;
  }

  /**
   * Nested paths repeat in every document; reusing one String per path skips the concatenation
   * and lets every map lookup downstream use its cached hash. Bounded, for documents whose keys
   * are data (ids as keys): past the bound, paths are built afresh.
   */
  private static final int PATH_CACHE_MAX = 100_000;
  private static final ConcurrentHashMap<String, ConcurrentHashMap<String, String>> PATHS =
      new ConcurrentHashMap<>();
  private static final AtomicInteger PATHS_CACHED = new AtomicInteger();

  static String nestedPath(String prefix, String key) {
    ConcurrentHashMap<String, String> children = PATHS.get(prefix);
    if (children != null) {
      String p = children.get(key);
      if (p != null) {
        return p;
      }
    }
    String path = prefix + '.' + key;
    if (PATHS_CACHED.get() < PATH_CACHE_MAX) {
      PATHS.computeIfAbsent(prefix, k -> new ConcurrentHashMap<>()).putIfAbsent(key, path);
      PATHS_CACHED.incrementAndGet();
    }
    return path;
  }

  /**
   * A stored value as the leaf {@link #flatten} reports: null for an object (its leaves are
   * reported instead), arrays with nested values as JSON text, timestamp strings as instants.
   */
  public static Object normalizeLeaf(Object v) {
    if (v instanceof Map) {
      return null;
    }
    if (v instanceof List<?> list) {
      List<Object> elements = new ArrayList<>(list.size());
      for (Object el : list) {
        elements.add(normalizeElement(el));
      }
      return elements;
    }
    return normalizeScalar(v);
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
