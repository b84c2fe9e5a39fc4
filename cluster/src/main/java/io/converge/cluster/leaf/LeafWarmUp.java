package io.converge.cluster.leaf;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.log.FieldStats;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.InvalidDocumentException;
import io.converge.storage.json.PreparedDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs fragments of the usual shapes (aggregate, GROUP BY, {@code _id} lookup, filtered top-N)
 * once over a scratch store while a starting leaf joins its replica group and catches up; its
 * shards serve only once this ended ({@link LeafShards#coldUntilWarmedUp}). A JVM's first fragment
 * loads and compiles Calcite's planner, its generated code and the storage read paths: seconds on
 * an idle machine, tens of seconds on a loaded one. Without this, the first queries routed to a
 * restarted leaf pay that while its twin in another group could have answered at once.
 */
final class LeafWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(LeafWarmUp.class);
  static final String COLLECTION = "converge_warm_up";
  static final List<String> FRAGMENTS = List.of(
      "SELECT COUNT(*), SUM(\"n\"), MIN(\"x\"), MAX(\"x\") FROM \"" + COLLECTION + "\"",
      "SELECT \"k\", COUNT(*), SUM(\"n\") FROM \"" + COLLECTION + "\" WHERE \"n\" > 3"
          + " GROUP BY \"k\"",
      "SELECT \"_id\", \"n\", \"k\" FROM \"" + COLLECTION + "\" WHERE \"_id\" = 'w7'",
      "SELECT \"_id\", \"x\" FROM \"" + COLLECTION + "\" WHERE \"k\" = 'k1'"
          + " ORDER BY \"x\" DESC LIMIT 5");
  private static final int DOCUMENTS = 64;

  private LeafWarmUp() {}

  /**
   * Warms {@code executor}'s paths; true when every fragment ran. A failure is logged (the leaf
   * then serves cold), never thrown.
   */
  static boolean run(ShardFragmentExecutor executor, String leafId) {
    return run(executor, leafId, Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** {@link #run(ShardFragmentExecutor, String)} with its scratch store under {@code parent}. */
  static boolean run(ShardFragmentExecutor executor, String leafId, Path parent) {
    long start = System.nanoTime();
    Path dir = null;
    try {
      dir = Files.createTempDirectory(parent, "converge-warm-up-");
      try (ConvergeStore store = ConvergeStore.open(dir)) {
        ConvergeCollection c = store.getOrCreate(COLLECTION);
        c.upsert(documents());
        LeafShard shard = new LeafShard(COLLECTION, 0, c);
        List<FieldStats> fields = FieldStats.of(c.schema());
        for (String sql : FRAGMENTS) {
          executor.warmUp(new FragmentRequest("warm-up", COLLECTION, sql, List.of(0), 0, fields,
              System.currentTimeMillis() + 120_000), shard);
        }
      }
      LOG.info("leaf {}: warmed up its query paths in {} ms", leafId,
          (System.nanoTime() - start) / 1_000_000);
      return true;
    } catch (IOException | FragmentException | RuntimeException e) {
      LOG.warn("leaf {}: warming up its query paths failed ({}); its first queries run cold",
          leafId, e.toString());
      return false;
    } finally {
      if (dir != null) {
        delete(dir);
      }
    }
  }

  private static List<PreparedDocument> documents() {
    DocumentPreparer preparer = new DocumentPreparer();
    List<PreparedDocument> docs = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; i < DOCUMENTS; i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "w" + i);
      d.put("n", (long) i);
      d.put("k", "k" + (i % 4));
      d.put("x", i * 0.5);
      try {
        docs.add(preparer.prepare(d, now));
      } catch (InvalidDocumentException e) {
        throw new IllegalStateException("warm-up document " + d + ": " + e.getMessage(), e);
      }
    }
    return docs;
  }

  private static void delete(Path dir) {
    try {
      MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
    } catch (IOException e) {
      LOG.debug("warm-up directory {} not removed: {}", dir, e.toString());
    }
  }
}
