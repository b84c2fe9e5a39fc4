package io.converge.cluster.leaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.metrics.FragmentWork;
import io.converge.server.metrics.ConvergeMetrics;
import io.converge.storage.ConvergeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up runs each of its fragments through the leaf's own executor over a scratch store,
 * and leaves nothing behind: no collection in the leaf's store, no statement, no directory, no
 * count in the leaf's fragment metrics (no query asked for it).
 */
class LeafWarmUpTest {
  @TempDir Path dir;

  @Test
  void everyFragmentRunsAndNothingStays() throws IOException {
    Path scratch = Files.createDirectories(dir.resolve("tmp"));
    try (ConvergeStore store = ConvergeStore.open(dir.resolve("leaf"));
        ShardFragmentExecutor executor =
            new ShardFragmentExecutor("leaf-warm", new LeafShards(store))) {
      FragmentWork.register();
      double rows = counted("converge.leaf.fragment.rows");
      double shardRows = counted("converge.leaf.fragment.shard.rows");
      assertTrue(LeafWarmUp.run(executor, "leaf-warm", scratch), "every warm-up fragment ran");
      assertEquals(rows, counted("converge.leaf.fragment.rows"), "rows returned");
      assertEquals(shardRows, counted("converge.leaf.fragment.shard.rows"), "shard rows");
      assertEquals(0, executor.idleStatements(), "the warm-up's statements are closed");
      assertEquals(List.of(), store.collectionNames());
    }
    try (Stream<Path> s = Files.list(scratch)) {
      assertEquals(List.of(), s.toList(), "the scratch store is removed");
    }
  }

  private static double counted(String name) {
    return ConvergeMetrics.registry().get(name).functionCounter().count();
  }
}
