package io.converge.storage.write;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.StoreException;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.InvalidDocumentException;
import io.converge.storage.json.JsonDocumentReader;
import io.converge.storage.json.PreparedDocument;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Loads NDJSON or JSON-array input into a collection in large atomic batches. Parsing and
 * encoding run on the calling thread while a writer thread commits the previous batch, so the
 * two cores overlap JSON work with RocksDB work.
 */
public final class BulkLoader {
  private static final List<PreparedDocument> END = List.of();

  private final ConvergeCollection collection;
  private final int batchSize;
  private final DocumentPreparer preparer = new DocumentPreparer();

  public BulkLoader(ConvergeCollection collection) {
    this(collection, 2000);
  }

  public BulkLoader(ConvergeCollection collection, int batchSize) {
    this.collection = collection;
    this.batchSize = batchSize;
  }

  /**
   * Loads every valid document of {@code in}; malformed lines and invalid documents are reported
   * to the listener and skipped. Returns when the input is exhausted, or when a JSON array hits a
   * syntax error (documents before it are kept; {@link LoadResult#malformed()} says where).
   */
  public LoadResult load(String source, InputStream in, LoadListener listener) throws IOException {
    long start = System.nanoTime();
    CountingStream counted = new CountingStream(in);
    BlockingQueue<List<PreparedDocument>> queue = new ArrayBlockingQueue<>(2);
    AtomicReference<Throwable> writeError = new AtomicReference<>();
    long[] loaded = {0};
    AtomicLong rejected = new AtomicLong();
    Thread writer = new Thread(() -> {
      while (true) {
        List<PreparedDocument> batch;
        try {
          batch = queue.take();
        } catch (InterruptedException ie) {
          writeError.compareAndSet(null, ie);
          return;
        }
        if (batch == END) {
          return;
        }
        if (writeError.get() != null) {
          continue; // keep draining so the reader never blocks on a full queue
        }
        try {
          collection.upsert(batch);
          long done;
          synchronized (loaded) {
            loaded[0] += batch.size();
            done = loaded[0];
          }
          listener.progress(done, rejected.get(), counted.count);
        } catch (Throwable t) {
          writeError.compareAndSet(null, t);
        }
      }
    }, "converge-bulk-writer");
    writer.setDaemon(true);
    writer.start();
    String malformed = null;
    try (JsonDocumentReader reader = new JsonDocumentReader(counted)) {
      List<PreparedDocument> batch = new ArrayList<>(batchSize);
      long now = System.currentTimeMillis();
      while (writeError.get() == null) {
        JsonDocumentReader.Entry e;
        try {
          e = reader.next();
        } catch (JsonDocumentReader.MalformedJsonException m) {
          malformed = m.getMessage();
          rejected.incrementAndGet();
          listener.rejected(source, m.line, m.getMessage());
          break;
        }
        if (e == null) {
          break;
        }
        if (!e.ok()) {
          rejected.incrementAndGet();
          listener.rejected(source, e.line(), e.error());
          continue;
        }
        try {
          batch.add(preparer.prepare(e.document(), now));
        } catch (InvalidDocumentException ex) {
          rejected.incrementAndGet();
          listener.rejected(source, e.line(), ex.getMessage());
          continue;
        }
        if (batch.size() >= batchSize) {
          put(queue, batch);
          batch = new ArrayList<>(batchSize);
          now = System.currentTimeMillis();
        }
      }
      if (!batch.isEmpty()) {
        put(queue, batch);
      }
    } finally {
      put(queue, END);
      try {
        writer.join();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
    Throwable t = writeError.get();
    if (t instanceof StoreException se) {
      throw se;
    } else if (t != null) {
      throw new StoreException("bulk load into '" + collection.name() + "' failed: " + t, t);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new LoadResult(loaded[0], rejected.get(), seconds, malformed);
  }

  private static void put(BlockingQueue<List<PreparedDocument>> q, List<PreparedDocument> b) {
    try {
      q.put(b);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("bulk load interrupted");
    }
  }

  /** Counts bytes read, for progress reports. */
  private static final class CountingStream extends FilterInputStream {
    volatile long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
