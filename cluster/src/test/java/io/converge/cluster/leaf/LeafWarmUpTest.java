package io.converge.cluster.leaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * and leaves nothing behind: no collection in the leaf's store, no statement, no directory.
 */
class LeafWarmUpTest {
  @TempDir Path dir;

  @Test
  void everyFragmentRunsAndNothingStays() throws IOException {
    Path scratch = Files.createDirectories(dir.resolve("tmp"));
    try (ConvergeStore store = ConvergeStore.open(dir.resolve("leaf"));
        ShardFragmentExecutor executor =
            new ShardFragmentExecutor("leaf-warm", new LeafShards(store))) {
      assertTrue(LeafWarmUp.run(executor, "leaf-warm", scratch), "every warm-up fragment ran");
      assertEquals(0, executor.idleStatements(), "the warm-up's statements are closed");
      assertEquals(List.of(), store.collectionNames());
    }
    try (Stream<Path> s = Files.list(scratch)) {
      assertEquals(List.of(), s.toList(), "the scratch store is removed");
    }
  }
}
