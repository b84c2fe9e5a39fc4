package io.converge.server.tailer;

import io.converge.storage.Mutation;
import java.util.List;
import java.util.Map;

/**
 * What one poll becomes: the mutations in record order, the next offset of every partition the
 * poll touched (committed in the same RocksDB batch) and the records skipped as malformed.
 */
public record TailBatch(List<Mutation> mutations, Map<Integer, Long> nextOffsets,
    List<MalformedRecord> malformed, int records, int upserts, int deletes) {

  /** A record that could not become a mutation, and why. */
  public record MalformedRecord(String topic, int partition, long offset, String reason) {
    @Override
    public String toString() {
      return topic + "/" + partition + "@" + offset + ": " + reason;
    }
  }
}
