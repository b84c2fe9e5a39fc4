package io.converge.cluster.leaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.RowSink;
import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.FieldStats;
import io.converge.server.tailer.TailBatch;
import io.converge.server.tailer.TailBatchBuilder;
import io.converge.storage.ConvergeStore;
import io.converge.storage.SourceOffsets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fragment with a fence ({@link FragmentRequest#minOffsets}) reads a shard only once it has
 * applied the fence's offset, waits for the applier within its bound, and otherwise fails with a
 * retryable timeout that says how far the shard got. Shards are written directly (no Kafka), the
 * way the applier writes them: documents with the next offset, then the shard's progress.
 */
class ShardFenceTest {
  private static final String C = "items";
  @TempDir
  Path dir;
  private ConvergeStore store;
  private LeafShards shards;
  private ShardFragmentExecutor executor;
  private List<FieldStats> fields;

  @BeforeEach
  void setUp() {
    store = ConvergeStore.open(dir);
    shards = new LeafShards(store);
    apply(0, 0, "{\"_id\": \"a\", \"x\": 1}", "{\"_id\": \"b\", \"x\": 2}");
    apply(1, 0, "{\"_id\": \"c\", \"x\": 3}");
    fields = FieldStats.merge(List.of(FieldStats.of(shards.get(C, 0).store().schema()),
        FieldStats.of(shards.get(C, 1).store().schema())));
    executor = new ShardFragmentExecutor("leaf-test", shards);
  }

  @AfterEach
  void tearDown() {
    executor.close();
    store.close();
  }

  /** Applies documents at offsets {@code from}, {@code from + 1}, ... as the applier does. */
  private void apply(int partition, long from, String... docs) {
    LeafShard shard = shards.getOrCreate(C, partition, null);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < docs.length; i++) {
      records.add(new ConsumerRecord<>(ClusterTopics.dataTopic(C), partition, from + i, null,
          docs[i].getBytes(StandardCharsets.UTF_8)));
    }
    TailBatch b = new TailBatchBuilder().build(records, 0L);
    shard.store().write(b.mutations(), SourceOffsets.of(shard.source(), from + docs.length));
    shard.applied(from + docs.length);
    shard.assigned(true);
  }

  private long count(List<Integer> partitions, Map<Integer, Long> fence, long waitMillis)
      throws FragmentException {
    List<Object[]> out = new ArrayList<>();
    executor.execute(new FragmentRequest("t", C, "SELECT COUNT(*) FROM items", partitions, 7,
        fields, System.currentTimeMillis() + 60_000, List.of(), fence, waitMillis),
        new RowSink() {
          @Override
          public void columns(List<FragmentColumn> columns) {
          }

          @Override
          public boolean row(Object[] values) {
            out.add(values.clone());
            return true;
          }
        });
    long n = 0;
    for (Object[] r : out) {
      n += ((Number) r[0]).longValue();
    }
    return n;
  }

  @Test
  void readsAtOnceWhenTheShardsHaveAppliedTheFence() throws Exception {
    // offsets 0 and 1 of partition 0 and offset 0 of partition 1 are applied
    assertEquals(3, count(List.of(0, 1), Map.of(0, 1L, 1, 0L), 60_000));
  }

  @Test
  void partitionsOutsideTheFenceAreNotWaitedFor() throws Exception {
    assertEquals(2, count(List.of(0), Map.of(1, 1_000_000L, 7, 5L), 60_000));
  }

  @Test
  void waitsUntilTheApplierReachesTheFence() throws Exception {
    CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
      try {
        return count(List.of(0, 1), Map.of(1, 2L), 60_000);
      } catch (FragmentException e) {
        throw new IllegalStateException(e);
      }
    });
    // offset 1 applied: not yet the fence, whatever the reader saw meanwhile
    apply(1, 1, "{\"_id\": \"d\", \"x\": 4}");
    apply(1, 2, "{\"_id\": \"e\", \"x\": 5}");
    assertEquals(5, read.get(60, TimeUnit.SECONDS), "the read saw the record at the fence");
  }

  @Test
  void failsWithHowFarTheShardGotOnceTheWaitIsOver() {
    FragmentException e = assertThrows(FragmentException.class,
        () -> count(List.of(0, 1), Map.of(1, 120L), 200));
    assertEquals(FragmentException.Kind.TIMEOUT, e.kind());
    assertTrue(e.getMessage().matches("partition 1 of 'items' has applied up to offset 0, the"
        + " read waits for 120 \\(waited \\d+ ms\\)"), e.getMessage());
  }

  @Test
  void anEmptyShardSaysItHasAppliedNothing() {
    apply(2, 0);
    FragmentException e = assertThrows(FragmentException.class,
        () -> count(List.of(2), Map.of(2, 0L), 100));
    assertEquals(FragmentException.Kind.TIMEOUT, e.kind());
    assertTrue(e.getMessage().startsWith("partition 2 of 'items' has applied no offset yet,"),
        e.getMessage());
  }

  @Test
  void aReceiverThatWentAwayEndsTheWait() {
    FragmentException e = assertThrows(FragmentException.class, () -> executor.execute(
        new FragmentRequest("t", C, "SELECT COUNT(*) FROM items", List.of(0), 7, fields,
            System.currentTimeMillis() + 60_000, List.of(), Map.of(0, 50L), 60_000),
        new RowSink() {
          @Override
          public void columns(List<FragmentColumn> columns) {
          }

          @Override
          public boolean row(Object[] values) {
            return true;
          }

          @Override
          public boolean cancelled() {
            return true;
          }
        }));
    assertEquals(FragmentException.Kind.CANCELLED, e.kind(), e.getMessage());
  }

  @Test
  void aShardUnassignedDuringTheWaitIsUnavailable() throws Exception {
    CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
      try {
        return count(List.of(0), Map.of(0, 50L), 60_000);
      } catch (FragmentException e) {
        throw new IllegalStateException(e);
      }
    });
    shards.get(C, 0).assigned(false);
    Exception e = assertThrows(Exception.class, () -> read.get(60, TimeUnit.SECONDS));
    FragmentException fe = (FragmentException) e.getCause().getCause();
    assertEquals(FragmentException.Kind.UNAVAILABLE, fe.kind(), fe.getMessage());
  }
}
