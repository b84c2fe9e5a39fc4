package io.converge.bench.ssb;

import io.converge.storage.ConvergeStore;
import io.converge.storage.write.BulkLoader;
import io.converge.storage.write.LoadListener;
import io.converge.storage.write.LoadResult;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads the generated NDJSON files into a fresh Converge data directory, one collection per
 * table, with {@code BulkLoader} (every index built), then waits for the column segments to be
 * sealed and closes the store, so that a server opening the directory reads sealed segments.
 */
public final class SsbConvergeLoad {
  private SsbConvergeLoad() {}

  /**
   * Per table: documents loaded and rejected, and the load's wall clock; {@code closeNanos}
   * (sealing, flush, close) is part of the total.
   */
  public record Result(Map<String, LoadResult> tables, Map<String, Long> nanos, long closeNanos,
      long totalNanos, long dirBytes) {
    public long rejected() {
      return tables.values().stream().mapToLong(LoadResult::rejected).sum();
    }
  }

  public static Result load(Path dataDir, List<SsbFiles.Written> files, PrintStream err)
      throws IOException {
    Map<String, LoadResult> results = new LinkedHashMap<>();
    Map<String, Long> nanos = new LinkedHashMap<>();
    long start = System.nanoTime();
    long closeStart;
    try (ConvergeStore store = ConvergeStore.open(dataDir)) {
      for (SsbFiles.Written f : files) {
        long t0 = System.nanoTime();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(f.ndjson()), 1 << 16)) {
          results.put(f.table().name(), new BulkLoader(store.getOrCreate(f.table().name()))
              .load(f.ndjson().getFileName().toString(), in, new LoadListener() {
                @Override
                public void progress(long loaded, long rejected, long bytesRead) {}

                @Override
                public void rejected(String source, long line, String reason) {
                  err.println("  rejected " + source + ":" + line + ": " + reason);
                }
              }));
        }
        nanos.put(f.table().name(), System.nanoTime() - t0);
      }
      closeStart = System.nanoTime();
      store.awaitSealed();
      store.flush();
    }
    long end = System.nanoTime();
    return new Result(results, nanos, end - closeStart, end - start, sizeOf(dataDir));
  }

  static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
