package io.converge.server.tailer;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.SourceOffsets;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The consumed offsets of one topic in one collection: the next offset to read per partition,
 * stored by the collection as the source {@code kafka:TOPIC:PARTITION} (see
 * {@link ConvergeCollection#sourceOffset(String)}). A collection's offsets go with it when it is
 * dropped, so a new collection of the same name starts from the beginning of the topic.
 */
public final class TailerOffsets {
  private final ConvergeCollection collection;
  private final String topic;

  public TailerOffsets(ConvergeCollection collection, String topic) {
    this.collection = collection;
    this.topic = topic;
  }

  /** The source name of one partition. */
  public String source(int partition) {
    return "kafka:" + topic + ":" + partition;
  }

  /** The offsets to commit with a batch: partition to the next offset to read from it. */
  public SourceOffsets of(Map<Integer, Long> nextByPartition) {
    SourceOffsets out = SourceOffsets.none();
    for (Map.Entry<Integer, Long> e : nextByPartition.entrySet()) {
      out = out.with(source(e.getKey()), e.getValue());
    }
    return out;
  }

  /** The next offset to read from {@code partition}, as last committed with documents. */
  public OptionalLong next(int partition) {
    return collection.sourceOffset(source(partition));
  }
}
