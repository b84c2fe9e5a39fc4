package io.converge.server.tailer;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.encoding.Keys;
import java.util.OptionalLong;

/**
 * Where the consumed offsets of one topic live in one collection's catalog: the next offset to
 * read per partition, under the storage layer's tailer-source key space
 * ({@link Keys#catalogSource(int, String)}: collection id + {@code kafka:TOPIC:PARTITION}). Keyed
 * by the collection's numeric id, so dropping the collection drops its offsets with it and a new
 * collection of the same name starts from the beginning of the topic.
 */
public final class TailerOffsets {
  private final ConvergeCollection collection;
  private final int collectionId;
  private final String topic;

  public TailerOffsets(ConvergeCollection collection, String topic) {
    this.collection = collection;
    this.topic = topic;
    // ConvergeCollection keeps its id package-private; the catalog's name entry holds it.
    byte[] id = collection.catalogValue(Keys.catalogName(collection.name()));
    if (id == null) {
      throw new IllegalStateException("collection '" + collection.name() + "' has no catalog entry");
    }
    this.collectionId = Keys.readInt(id, 0);
  }

  /** The catalog key holding the next offset of {@code partition}. */
  public byte[] key(int partition) {
    return Keys.catalogSource(collectionId, "kafka:" + topic + ":" + partition);
  }

  public static byte[] encode(long nextOffset) {
    return Keys.longBytes(nextOffset);
  }

  /** The next offset to read from {@code partition}, as last committed with documents. */
  public OptionalLong next(int partition) {
    byte[] v = collection.catalogValue(key(partition));
    return v == null ? OptionalLong.empty() : OptionalLong.of(Keys.readLong(v, 0));
  }
}
