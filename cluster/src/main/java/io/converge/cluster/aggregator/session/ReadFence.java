package io.converge.cluster.aggregator.session;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one read of a collection waits for: per partition, an offset of the collection's topic
 * the serving leaf must have applied, and how long it may wait for it.
 *
 * @param minOffsets partition -> offset (empty: no wait)
 * @param waitMillis how long a leaf may wait for the offsets before the read fails
 */
public record ReadFence(Map<Integer, Long> minOffsets, long waitMillis) {
  /** No fence: the read answers from what the leaves hold. */
  public static final ReadFence NONE = new ReadFence(Map.of(), 0);

  public ReadFence {
    minOffsets = minOffsets == null ? Map.of()
        : Collections.unmodifiableMap(new TreeMap<>(minOffsets));
  }

  public boolean isEmpty() {
    return minOffsets.isEmpty();
  }

  /** The offsets of {@code partitions} alone (what one leaf's fragment waits for). */
  public Map<Integer, Long> on(List<Integer> partitions) {
    if (minOffsets.isEmpty()) {
      return Map.of();
    }
    Map<Integer, Long> out = new TreeMap<>();
    for (int p : partitions) {
      Long o = minOffsets.get(p);
      if (o != null) {
        out.put(p, o);
      }
    }
    return out;
  }
}
