package io.converge.server;

import io.converge.adapter.ConvergeJdbc;
import io.converge.adapter.ConvergeSchemaFactory;
import io.converge.server.admin.AdminHandler;
import io.converge.server.http.DocumentService;
import io.converge.server.http.DocumentWrites;
import io.converge.server.metrics.StoreMetrics;
import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Handler;

/**
 * One data directory served by one process: the process-wide shared {@link ConvergeStore} of the
 * directory, held for the backend's whole life so that every Calcite connection that Avatica opens
 * (from {@link ConvergeJdbc#url(Path)}) finds it open.
 */
public final class LocalStoreBackend implements ServerBackend {
  private final Path dataDir;
  private final ConvergeStore store;
  private final DocumentWrites documents;
  private final StoreMetrics metrics;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LocalStoreBackend(Path dataDir, ConvergeStore store) {
    this.dataDir = dataDir;
    this.store = store;
    this.documents = new DocumentWrites(store);
    this.metrics = StoreMetrics.register(store);
  }

  /**
   * Opens (or shares) the directory. Throws {@link io.converge.storage.StoreException} when it
   * cannot be opened (for example held by another process).
   */
  public static LocalStoreBackend open(Path dataDir) {
    Path dir = dataDir.toAbsolutePath().normalize();
    return new LocalStoreBackend(dir, ConvergeStore.acquire(dir));
  }

  public ConvergeStore store() {
    return store;
  }

  @Override
  public String calciteUrl() {
    return ConvergeJdbc.url(dataDir);
  }

  @Override
  public Object catalogStamp() {
    return ConvergeServer.catalogStamp(store);
  }

  @Override
  public DocumentService documents() {
    return documents;
  }

  @Override
  public List<Handler> handlers(boolean authenticated) {
    return List.of(new AdminHandler(store, dataDir, authenticated));
  }

  @Override
  public Path dataDirectory() {
    return dataDir;
  }

  @Override
  public String describe() {
    return dataDir.toString();
  }

  /**
   * Releases the store, including the adapter's reference to it (Calcite connections do not
   * release it themselves), so that the directory can be reopened.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    metrics.close();
    try {
      ConvergeSchemaFactory.release(dataDir);
    } finally {
      store.release();
    }
  }

  /** Releases the store only (the server did not start: the adapter never opened it). */
  void releaseStore() {
    if (closed.compareAndSet(false, true)) {
      metrics.close();
      store.release();
    }
  }
}
