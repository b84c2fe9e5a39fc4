package io.converge.storage.ingest;

import io.converge.storage.ConvergeCollection;
import java.io.IOException;
import java.io.InputStream;

/** Loads NDJSON or JSON-array input into a collection in large atomic batches. */
public final class BulkLoader {
  private final ConvergeCollection collection;
  private final int batchSize;

  public BulkLoader(ConvergeCollection collection) {
    this(collection, 2000);
  }

  public BulkLoader(ConvergeCollection collection, int batchSize) {
    this.collection = collection;
    this.batchSize = batchSize;
  }

  /**
   * Loads every valid document of {@code in}; malformed lines and non-object documents are
   * reported to the listener and skipped. Returns when the input is exhausted (or a JSON array
   * hit a syntax error: documents before it are kept).
   */
  public LoadResult load(String source, InputStream in, LoadListener listener) throws IOException {
    throw new UnsupportedOperationException("being written");
  }
}
