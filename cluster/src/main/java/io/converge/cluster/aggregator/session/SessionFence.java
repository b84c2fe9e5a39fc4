package io.converge.cluster.aggregator.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.converge.cluster.log.ClusterJson;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The offsets a session's reads wait for, per collection and partition: the highest offset of
 * each partition among the fences it was given (its own SQL writes, the {@code fence} connection
 * property). Offsets only grow, so a session never reads older data than it wrote. Thread-safe.
 */
public final class SessionFence {
  private final Map<String, Map<Integer, Long>> byCollection = new ConcurrentHashMap<>();

  /** Raises the collection's offsets to those of {@code fence} (partition -> offset). */
  public void advance(String collection, Map<Integer, Long> fence) {
    if (fence == null || fence.isEmpty()) {
      return;
    }
    Map<Integer, Long> offsets = byCollection.computeIfAbsent(collection,
        c -> new ConcurrentHashMap<>());
    fence.forEach((p, o) -> {
      if (p != null && o != null) {
        offsets.merge(p, o, Math::max);
      }
    });
  }

  /** Raises every collection's offsets to those of {@code other}. */
  public void advance(SessionFence other) {
    other.byCollection.forEach(this::advance);
  }

  /** Forgets every offset. */
  public void clear() {
    byCollection.clear();
  }

  /** The collection's offsets now (partition -> offset), empty when none. */
  public Map<Integer, Long> of(String collection) {
    Map<Integer, Long> offsets = byCollection.get(collection);
    return offsets == null ? Map.of() : new TreeMap<>(offsets);
  }

  /**
   * Reads the {@code fence} connection property: a JSON object of collection -> object of
   * partition -> offset, as {@code {"orders": {"3": 120, "7": 4}}} (the {@code fence} of an HTTP
   * write's answer under its collection's name).
   *
   * @throws IllegalArgumentException when the text is not of that form
   */
  public static SessionFence parse(String text) {
    SessionFence f = new SessionFence();
    if (text == null || text.isBlank()) {
      return f;
    }
    JsonNode root;
    try {
      root = ClusterJson.MAPPER.readTree(text);
    } catch (IOException | RuntimeException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      throw malformed(text);
    }
    for (Map.Entry<String, JsonNode> c : root.properties()) {
      if (!c.getValue().isObject()) {
        throw malformed(text);
      }
      Map<Integer, Long> offsets = new TreeMap<>();
      for (Map.Entry<String, JsonNode> p : c.getValue().properties()) {
        int partition;
        try {
          partition = Integer.parseInt(p.getKey());
        } catch (NumberFormatException e) {
          throw malformed(text);
        }
        JsonNode o = p.getValue();
        if (partition < 0 || !o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
          throw malformed(text);
        }
        offsets.put(partition, o.asLong());
      }
      f.advance(c.getKey(), offsets);
    }
    return f;
  }

  // no cause: JDBC clients see the innermost message, and this one says what is expected
  private static IllegalArgumentException malformed(String text) {
    return new IllegalArgumentException("connection property fence: expected a JSON object of"
        + " collection -> {partition: offset} (integers from 0), as {\"orders\": {\"3\": 120}};"
        + " got " + text);
  }
}
