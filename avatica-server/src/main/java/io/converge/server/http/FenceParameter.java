package io.converge.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code fence} and {@code readWaitMs} query parameters of a read: offsets the answer must
 * include (a write's answer's {@code fence}), and how long to wait for them. On
 * {@code GET /v1/collections/{name}} the fence is that collection's, {@code {"3": 120}}; on
 * {@code GET /v1/collections} it names collections, {@code {"orders": {"3": 120}}}.
 *
 * @param offsets per collection, per partition, the offset the answer must include
 * @param waitMillis how long the read may wait for them
 */
public record FenceParameter(Map<String, Map<Integer, Long>> offsets, long waitMillis) {
  public static final long DEFAULT_WAIT_MILLIS = 5_000;
  public static final long MAX_WAIT_MILLIS = 600_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  public boolean isEmpty() {
    return offsets.isEmpty();
  }

  /**
   * The parameters of a request, checked.
   *
   * @param collection the collection the request reads, or null when it reads the list
   * @throws ApiException 400 naming what is wrong
   */
  public static FenceParameter parse(String fence, String readWaitMs, String collection)
      throws ApiException {
    long wait = DEFAULT_WAIT_MILLIS;
    if (readWaitMs != null) {
      try {
        wait = Long.parseLong(readWaitMs.trim());
      } catch (NumberFormatException e) {
        wait = -1;
      }
      if (wait < 0 || wait > MAX_WAIT_MILLIS) {
        throw ApiException.badRequest("readWaitMs must be a number of milliseconds from 0 to "
            + MAX_WAIT_MILLIS + ", not '" + readWaitMs + "'");
      }
    }
    if (fence == null || fence.isBlank()) {
      return new FenceParameter(Map.of(), wait);
    }
    JsonNode root;
    try {
      root = JSON.readTree(fence);
    } catch (JsonProcessingException e) {
      root = null;
    }
    String shape = collection != null ? "{\"PARTITION\": OFFSET, ...}"
        : "{\"COLLECTION\": {\"PARTITION\": OFFSET, ...}, ...}";
    if (root == null || !root.isObject()) {
      throw ApiException.badRequest("fence must be a JSON object " + shape + " (a write's "
          + "answer's fence), not '" + fence + "'");
    }
    Map<String, Map<Integer, Long>> out = new LinkedHashMap<>();
    if (collection != null) {
      out.put(collection, partitions(root, fence, shape));
    } else {
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isObject()) {
          throw ApiException.badRequest("fence must be a JSON object " + shape + "; '"
              + e.getKey() + "' holds " + e.getValue());
        }
        out.put(e.getKey(), partitions(e.getValue(), fence, shape));
      }
    }
    return new FenceParameter(out, wait);
  }

  private static Map<Integer, Long> partitions(JsonNode node, String fence, String shape)
      throws ApiException {
    Map<Integer, Long> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int partition;
      try {
        partition = Integer.parseInt(e.getKey());
      } catch (NumberFormatException x) {
        partition = -1;
      }
      if (partition < 0 || !e.getValue().canConvertToLong() || !e.getValue().isIntegralNumber()
          || e.getValue().asLong() < 0) {
        throw ApiException.badRequest("fence must be a JSON object " + shape + " with "
            + "partitions and offsets as whole numbers >= 0; not '" + e.getKey() + "': "
            + e.getValue() + " in '" + fence + "'");
      }
      out.merge(partition, e.getValue().asLong(), Math::max);
    }
    return out;
  }
}
