package io.converge.storage;

import io.converge.storage.encoding.Keys;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far a batch of mutations has read its sources: source name to the next offset to read.
 * {@link ConvergeCollection#write(java.util.List, SourceOffsets)} commits them in the same atomic
 * batch as the mutations, so the stored offsets and the stored documents always agree: a reader
 * that resumes at {@link ConvergeCollection#sourceOffset(String)} neither loses nor repeats a
 * record. The reader names its sources (the Kafka tailer: {@code kafka:TOPIC:PARTITION}).
 * Immutable.
 */
public final class SourceOffsets {
  private static final SourceOffsets NONE = new SourceOffsets(new TreeMap<>());

  private final Map<String, Long> next;

  private SourceOffsets(TreeMap<String, Long> next) {
    this.next = Collections.unmodifiableMap(next);
  }

  /** No offsets: a write of mutations alone. */
  public static SourceOffsets none() {
    return NONE;
  }

  /** One source's next offset. */
  public static SourceOffsets of(String source, long nextOffset) {
    return none().with(source, nextOffset);
  }

  /** Several sources' next offsets; every name and offset is checked as in {@link #with}. */
  public static SourceOffsets of(Map<String, Long> nextOffsets) {
    TreeMap<String, Long> copy = new TreeMap<>();
    for (Map.Entry<String, Long> e : nextOffsets.entrySet()) {
      if (e.getValue() == null) {
        throw new IllegalArgumentException("source '" + e.getKey() + "' has no offset");
      }
      validate(e.getKey(), e.getValue());
      copy.put(e.getKey(), e.getValue());
    }
    return copy.isEmpty() ? NONE : new SourceOffsets(copy);
  }

  /**
   * These offsets with {@code source} at {@code nextOffset} (replacing an earlier one).
   *
   * @throws IllegalArgumentException for an empty name, a name that is not well-formed UTF-16,
   *     or a negative offset
   */
  public SourceOffsets with(String source, long nextOffset) {
    validate(source, nextOffset);
    TreeMap<String, Long> copy = new TreeMap<>(next);
    copy.put(source, nextOffset);
    return new SourceOffsets(copy);
  }

  /** Source name to next offset, in name order. */
  public Map<String, Long> asMap() {
    return next;
  }

  public boolean isEmpty() {
    return next.isEmpty();
  }

  /** Refuses a name that cannot be a source: empty, or not storable exactly as UTF-8. */
  static void validateName(String source) {
    if (source == null || source.isEmpty()) {
      throw new IllegalArgumentException("a source name must not be empty");
    }
    if (!Keys.isWellFormed(source)) {
      throw new IllegalArgumentException(
          "source name '" + source + "' has an unpaired UTF-16 surrogate");
    }
  }

  private static void validate(String source, long nextOffset) {
    validateName(source);
    if (nextOffset < 0) {
      throw new IllegalArgumentException(
          "the offset of source '" + source + "' must be >= 0, not " + nextOffset);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceOffsets other && next.equals(other.next);
  }

  @Override
  public int hashCode() {
    return next.hashCode();
  }

  @Override
  public String toString() {
    return "SourceOffsets" + next;
  }
}
