package io.converge.server.tailer;

import io.converge.storage.Mutation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Builds a poll's {@link TailBatch} on several threads: JSON parsing and document preparation
 * cost several times what the RocksDB write costs, so one thread would leave the other cores idle.
 * The records are cut into contiguous slices, one per thread, and the slices' batches are joined
 * in order, so the mutations keep the records' order.
 */
final class ParallelBatchBuilder implements AutoCloseable {
  /** Below this many records a poll is parsed on the calling thread alone. */
  private static final int MIN_SLICE = 500;

  private final List<TailBatchBuilder> builders = new ArrayList<>();
  private final ExecutorService helpers;

  ParallelBatchBuilder(String threadName) {
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    for (int i = 0; i < threads; i++) {
      builders.add(new TailBatchBuilder());
    }
    helpers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
      Thread t = new Thread(r, threadName + "-parser");
      t.setDaemon(true);
      return t;
    });
  }

  TailBatch build(List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException {
    long now = System.currentTimeMillis();
    int slices = Math.min(builders.size(), Math.max(1, records.size() / MIN_SLICE));
    if (slices == 1) {
      return builders.get(0).build(records, now);
    }
    int size = (records.size() + slices - 1) / slices;
    List<Future<TailBatch>> rest = new ArrayList<>();
    for (int s = 1; s < slices; s++) {
      List<ConsumerRecord<byte[], byte[]>> slice =
          records.subList(s * size, Math.min(records.size(), (s + 1) * size));
      TailBatchBuilder b = builders.get(s);
      rest.add(helpers.submit(() -> b.build(slice, now)));
    }
    List<TailBatch> parts = new ArrayList<>(slices);
    parts.add(builders.get(0).build(records.subList(0, size), now));
    try {
      for (Future<TailBatch> f : rest) {
        parts.add(f.get());
      }
    } catch (ExecutionException e) {
      throw new KafkaException("parsing a poll failed: " + e.getCause(), e.getCause());
    }
    return join(parts);
  }

  private static TailBatch join(List<TailBatch> parts) {
    List<Mutation> mutations = new ArrayList<>();
    Map<Integer, Long> next = new HashMap<>();
    List<TailBatch.MalformedRecord> malformed = new ArrayList<>();
    int records = 0;
    int upserts = 0;
    int deletes = 0;
    for (TailBatch p : parts) {
      mutations.addAll(p.mutations());
      p.nextOffsets().forEach((partition, offset) -> next.merge(partition, offset, Math::max));
      malformed.addAll(p.malformed());
      records += p.records();
      upserts += p.upserts();
      deletes += p.deletes();
    }
    return new TailBatch(mutations, next, malformed, records, upserts, deletes);
  }

  @Override
  public void close() {
    if (helpers != null) {
      helpers.shutdownNow();
    }
  }
}
