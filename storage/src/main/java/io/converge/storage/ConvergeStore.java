package io.converge.storage;

import io.converge.storage.encoding.KeySpace;
import io.converge.storage.encoding.Keys;
import io.converge.storage.exec.ColumnVectorCache;
import io.converge.storage.schema.DeclaredSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Converge data directory: one RocksDB instance whose column families are the key spaces of
 * the converged index (see {@link Keys}), holding any number of collections.
 *
 * <p>A directory can be open once per process and once across processes (RocksDB's LOCK file);
 * use {@link #acquire(Path)} to share one open store among many SQL connections. Whether writes
 * are synced to disk is chosen at open ({@link StoreOptions}).
 */
public final class ConvergeStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConvergeStore.class);
  private static final Map<Path, Shared> SHARED = new ConcurrentHashMap<>();
  /** Every directory open in this process, shared or not (to tell "this process" apart). */
  private static final java.util.Set<Path> OPEN = ConcurrentHashMap.newKeySet();

  static {
    RocksDB.loadLibrary();
    // Shared stores live as long as the process; close them (syncing the WAL) on exit.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      synchronized (SHARED) {
        for (Shared sh : SHARED.values()) {
          sh.store.close();
        }
        SHARED.clear();
      }
    }, "converge-store-shutdown"));
  }

  private final Path dir;
  private final RocksDB db;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final LRUCache blockCache;
  private static final java.util.concurrent.atomic.AtomicInteger STORE_NUMBERS =
      new java.util.concurrent.atomic.AtomicInteger();
  /** This store's number in the process's column cache. */
  private final int cacheNumber = STORE_NUMBERS.incrementAndGet();
  private final BloomFilter bloom;
  private final StoreOptions options;
  /** Every write of this store: synced or not, as {@link #options} say; the WAL always on. */
  private final WriteOptions writeOptions;
  private final Map<String, ConvergeCollection> collections = new ConcurrentHashMap<>();
  /** Seals full segments in the background, one at a time, in submission order. */
  private final ExecutorService sealer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "converge-sealer");
    t.setDaemon(true);
    return t;
  });
  private int nextCollectionId = 1;
  private final java.util.concurrent.atomic.AtomicLong generation =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile String brokenReason;
  private volatile boolean closed;

  private static final class Shared {
    final ConvergeStore store;
    int refs;

    Shared(ConvergeStore store) {
      this.store = store;
    }
  }

  private ConvergeStore(Path dir, StoreOptions options) {
    this.dir = dir;
    this.options = options;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StoreException("cannot create data directory " + dir + ": " + e.getMessage(), e);
    }
    dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2).setKeepLogFileNum(3).setMaxOpenFiles(512);
    blockCache = new LRUCache(256L << 20);
    bloom = new BloomFilter(10, false);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cf(false)));
    for (KeySpace space : KeySpace.values()) {
      descriptors.add(new ColumnFamilyDescriptor(
          space.familyName().getBytes(StandardCharsets.UTF_8), cf(space == KeySpace.PK)));
    }
    try {
      db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      closeOptions();
      throw openFailure(dir, e);
    }
    writeOptions = new WriteOptions().setSync(options.syncWrites());
  }

  private ColumnFamilyOptions cf(boolean pointLookups) {
    BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(blockCache)
        .setBlockSize(16 * 1024);
    if (pointLookups) {
      table.setFilterPolicy(bloom);
    }
    // Small write buffers make random-key inserts cheaper: smaller memtables to search and flush.
    ColumnFamilyOptions o = new ColumnFamilyOptions().setWriteBufferSize(16L << 20)
        .setCompressionType(CompressionType.LZ4_COMPRESSION).setTableFormatConfig(table);
    cfOptions.add(o);
    return o;
  }

  /**
   * RocksDB's open failures in the user's words: held by another process (its LOCK file), corrupt
   * (RocksDB's Corruption status: a damaged table file, MANIFEST or CURRENT), or anything else
   * with RocksDB's reason. One line, naming the directory.
   */
  static StoreException openFailure(Path dir, RocksDBException e) {
    String m = String.valueOf(e.getMessage()).replace('\n', ' ').trim();
    org.rocksdb.Status.Code code = e.getStatus() == null ? null : e.getStatus().getCode();
    if (m.contains("lock file") || m.contains(java.io.File.separator + "LOCK:")) {
      return new StoreException("data directory " + dir + " is in use by another process "
          + "(its RocksDB LOCK file is held); stop that process or choose another data directory",
          e);
    }
    if (code == org.rocksdb.Status.Code.Corruption || m.contains("Corruption")
        || m.contains("corrupt")) {
      return new StoreException("data directory " + dir + " is corrupt: " + m
          + " (restore it from a backup or a copy)", e);
    }
    return new StoreException("cannot open data directory " + dir + ": " + m, e);
  }

  /**
   * Opens (creating if needed) a data directory for exclusive use by the caller, with every write
   * synced ({@link StoreOptions#defaults()}).
   */
  public static ConvergeStore open(Path dir) {
    return open(dir, StoreOptions.defaults());
  }

  /** Opens (creating if needed) a data directory for exclusive use by the caller. */
  public static ConvergeStore open(Path dir, StoreOptions options) {
    java.util.Objects.requireNonNull(options, "options");
    Path abs = dir.toAbsolutePath().normalize();
    if (!OPEN.add(abs)) {
      throw new StoreException("data directory " + abs + " is already open in this process");
    }
    ConvergeStore s;
    try {
      s = new ConvergeStore(abs, options);
    } catch (RuntimeException e) {
      OPEN.remove(abs);
      throw e;
    }
    try {
      s.loadCatalog();
    } catch (RuntimeException | RocksDBException e) {
      s.close();
      throw e instanceof StoreException se ? se
          : e instanceof RocksDBException re ? openFailure(abs, re)
          : new StoreException("cannot load the catalog of " + abs + ": " + e.getMessage(), e);
    }
    return s;
  }

  /**
   * The process-wide shared store for a directory, opened on first use with every write synced
   * (it serves writes acknowledged to clients). Every call must be paired with
   * {@link #release()}; the last release closes it.
   */
  public static ConvergeStore acquire(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    synchronized (SHARED) {
      Shared sh = SHARED.get(abs);
      if (sh == null) {
        ConvergeStore s = open(abs);
        sh = new Shared(s);
        SHARED.put(abs, sh);
      }
      sh.refs++;
      return sh.store;
    }
  }

  /** Gives back a reference taken by {@link #acquire(Path)}. */
  public void release() {
    synchronized (SHARED) {
      Shared sh = SHARED.get(dir);
      if (sh == null || sh.store != this) {
        return;
      }
      if (--sh.refs == 0) {
        SHARED.remove(dir);
        close();
      }
    }
  }

  private void loadCatalog() throws RocksDBException {
    byte[] prefix = {Keys.CATALOG_NAME};
    try (RocksIterator it = db.newIterator(catalogCf())) {
      for (it.seek(prefix); it.isValid() && it.key()[0] == Keys.CATALOG_NAME; it.next()) {
        String name = new String(it.key(), 1, it.key().length - 1, StandardCharsets.UTF_8);
        int id = Keys.readInt(it.value(), 0);
        ConvergeCollection c = new ConvergeCollection(this, id, name);
        c.load();
        collections.put(name, c);
        nextCollectionId = Math.max(nextCollectionId, id + 1);
      }
    }
    byte[] next = db.get(catalogCf(), Keys.catalogNextCollection());
    if (next != null) {
      nextCollectionId = Math.max(nextCollectionId, Keys.readInt(next, 0));
    }
    LOG.info("opened {} with {} collection(s)", dir, collections.size());
  }

  public Path directory() {
    return dir;
  }

  /** The options the store was opened with. */
  public StoreOptions options() {
    return options;
  }

  /** Collection names, sorted. */
  public List<String> collectionNames() {
    return new ArrayList<>(new TreeMap<>(collections).keySet());
  }

  /** The collection, or null. Names are case-sensitive. */
  public ConvergeCollection collection(String name) {
    return collections.get(name);
  }

  /**
   * The collection, created empty when it does not exist (one atomic write, synced when the
   * store's writes are).
   */
  public synchronized ConvergeCollection getOrCreate(String name) {
    checkOpen();
    ConvergeCollection c = collections.get(name);
    if (c != null) {
      return c;
    }
    return createLocked(name, null);
  }

  /**
   * Creates an empty collection with a declared schema ({@code CREATE TABLE}): its documents must
   * fit the schema ({@link DeclaredSchema#conform}). Fails when a collection of that name exists.
   */
  public synchronized ConvergeCollection create(String name, DeclaredSchema declared) {
    checkOpen();
    if (collections.containsKey(name)) {
      throw new IllegalArgumentException("collection '" + name + "' already exists");
    }
    return createLocked(name, java.util.Objects.requireNonNull(declared));
  }

  private ConvergeCollection createLocked(String name, DeclaredSchema declared) {
    validateName(name);
    int id = nextCollectionId++;
    ConvergeCollection c = new ConvergeCollection(this, id, name);
    c.initEmpty(declared);
    try (WriteBatch b = new WriteBatch()) {
      b.put(catalogCf(), Keys.catalogName(name), Keys.intBytes(id));
      b.put(catalogCf(), Keys.catalogState(id), c.encodedState());
      if (declared != null) {
        b.put(catalogCf(), Keys.catalogDeclared(id), declared.encode());
      }
      b.put(catalogCf(), Keys.catalogNextCollection(), Keys.intBytes(nextCollectionId));
      db.write(writeOptions, b);
    } catch (RocksDBException e) {
      throw failure("creating collection '" + name + "'", e);
    }
    collections.put(name, c);
    generation.incrementAndGet();
    return c;
  }

  /**
   * Counts collection creations and drops in this process: equal values mean no collection was
   * created or dropped in between (a dropped and recreated name included), so caches of plans
   * can key on it.
   */
  public long catalogGeneration() {
    return generation.get();
  }

  /**
   * Checks a collection name: 1-255 characters, no control characters, no unpaired surrogates.
   * Names are never file names: the catalog maps each to a numeric id (key {@code 0x01 name-utf8}),
   * and every other key carries that id.
   */
  public static void validateName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("collection name must not be empty");
    }
    if (name.length() > 255) {
      throw new IllegalArgumentException("collection name is longer than 255 characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException("collection name contains a control character");
      }
    }
    if (!Keys.isWellFormed(name)) {
      // UTF-8 has no form for it: the catalog key would hold '?' and two names would collide
      throw new IllegalArgumentException("collection name contains an unpaired UTF-16 "
          + "surrogate");
    }
  }

  /** Removes a collection and every key of it; false when it does not exist. */
  public synchronized boolean drop(String name) {
    checkOpen();
    ConvergeCollection c = collections.get(name);
    if (c == null) {
      return false;
    }
    c.markDropped();
    int id = c.id();
    c.sealLock.lock();
    try (WriteBatch b = new WriteBatch()) {
      b.delete(catalogCf(), Keys.catalogName(name));
      b.delete(catalogCf(), Keys.catalogState(id));
      b.delete(catalogCf(), Keys.catalogSealed(id));
      b.delete(catalogCf(), Keys.catalogDeclared(id));
      byte[] srcStart = new byte[] {Keys.CATALOG_SOURCE, 0, 0, 0, 0};
      System.arraycopy(Keys.intBytes(id), 0, srcStart, 1, 4);
      byte[] srcEnd = srcStart.clone();
      System.arraycopy(Keys.intBytes(id + 1), 0, srcEnd, 1, 4);
      b.deleteRange(catalogCf(), srcStart, srcEnd);
      for (ColumnFamilyHandle h : List.of(pkCf(), rowCf(), columnCf(), invertedCf(), liveCf())) {
        b.deleteRange(h, Keys.collectionStart(id), Keys.collectionEnd(id));
      }
      db.write(writeOptions, b);
    } catch (RocksDBException e) {
      throw failure("dropping collection '" + name + "'", e);
    } finally {
      c.sealLock.unlock();
    }
    collections.remove(name);
    ColumnVectorCache.PROCESS.dropScope(cacheScope(id));
    generation.incrementAndGet();
    return true;
  }

  /** Writes a consistent copy of the whole store to {@code target} (must not exist). */
  public void checkpoint(Path target) {
    checkOpen();
    try (Checkpoint cp = Checkpoint.create(db)) {
      cp.createCheckpoint(target.toAbsolutePath().toString());
    } catch (RocksDBException e) {
      throw failure("creating a checkpoint in " + target, e);
    }
  }

  void submitSeal(Runnable task) {
    try {
      sealer.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.error("sealing a segment failed; it stays in memory until the next open", e);
        }
      });
    } catch (RejectedExecutionException e) {
      // closing: the segment is rebuilt from the row store and sealed on the next open
    }
  }

  /** Waits until every queued seal has been written (tests, benchmarks, backups). */
  public void awaitSealed() {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    submitSeal(done::countDown);
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits until RocksDB has no flush or compaction running or pending, at most
   * {@code timeoutMillis}; true when it got there. Benchmarks use it to start a timed phase
   * without the compaction debt of an earlier one (for example a dropped scratch collection).
   */
  public boolean awaitBackgroundIdle(long timeoutMillis) {
    checkOpen();
    long until = System.nanoTime() + timeoutMillis * 1_000_000L;
    try {
      while (true) {
        boolean busy = db.getLongProperty("rocksdb.num-running-compactions") > 0
            || db.getLongProperty("rocksdb.num-running-flushes") > 0;
        for (ColumnFamilyHandle h : handles) {
          busy |= db.getLongProperty(h, "rocksdb.compaction-pending") > 0
              || db.getLongProperty(h, "rocksdb.mem-table-flush-pending") > 0;
        }
        if (!busy) {
          return true;
        }
        if (System.nanoTime() > until) {
          return false;
        }
        Thread.sleep(20);
      }
    } catch (RocksDBException e) {
      throw failure("reading RocksDB's background work", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * A RocksDB integer property summed over the store's column families, for monitoring: for
   * example {@code rocksdb.total-sst-files-size}, {@code rocksdb.estimate-pending-compaction-bytes}
   * or {@code rocksdb.estimate-num-keys}. Empty once the store is closed or when RocksDB does not
   * know the property; synchronized with {@link #close()} so that a reader never touches a closed
   * database.
   */
  public synchronized java.util.OptionalLong longProperty(String name) {
    if (closed) {
      return java.util.OptionalLong.empty();
    }
    long sum = 0;
    try {
      for (ColumnFamilyHandle h : handles) {
        sum += db.getLongProperty(h, name);
      }
    } catch (RocksDBException e) {
      return java.util.OptionalLong.empty();
    }
    return java.util.OptionalLong.of(sum);
  }

  void checkOpen() {
    if (closed) {
      throw new StoreException("data directory " + dir + " is closed");
    }
    if (brokenReason != null) {
      throw new StoreException("data directory " + dir + " is unusable: " + brokenReason);
    }
  }

  StoreException failure(String what, RocksDBException e) {
    String m = e.getStatus() != null ? e.getStatus().getCodeString() + ": " + e.getMessage()
        : e.getMessage();
    if (m != null && (m.contains("No space") || m.contains("Corruption") || m.contains("IOError"))) {
      markBroken(m);
    }
    return new StoreException("storage error while " + what + ": " + m, e);
  }

  void markBroken(String reason) {
    LOG.error("data directory {} is now unusable: {}", dir, reason);
    brokenReason = reason;
  }

  /**
   * Why this store refuses all reads and writes since a storage failure (disk full, I/O error,
   * corruption), or null while it is usable. Restarting on the directory once the cause is fixed
   * recovers every acknowledged write from the WAL.
   */
  public String unusableReason() {
    return brokenReason;
  }

  RocksDB db() {
    return db;
  }

  /** Decoded sealed column segments, shared by the process's stores. */
  ColumnVectorCache columnCache() {
    return ColumnVectorCache.PROCESS;
  }

  /** The column cache's scope of one of this store's collections. */
  long cacheScope(int collectionId) {
    return ColumnVectorCache.scope(cacheNumber, collectionId);
  }

  /** Empties this store's part of the column segment cache (benchmarks time uncached paths). */
  public void clearColumnCache() {
    ColumnVectorCache.PROCESS.dropStore(cacheNumber);
  }

  /** The column segment cache's size, use and hits (the process's), in one line. */
  public String columnCacheDescription() {
    return ColumnVectorCache.PROCESS.describe();
  }

  /** The options of every write: synced or not, as the store was opened. */
  WriteOptions writeOptions() {
    return writeOptions;
  }

  /** The column family of a key space (handle 0 is RocksDB's default family, unused). */
  ColumnFamilyHandle cf(KeySpace space) {
    return handles.get(1 + space.ordinal());
  }

  ColumnFamilyHandle catalogCf() {
    return handles.get(1);
  }

  ColumnFamilyHandle pkCf() {
    return handles.get(2);
  }

  ColumnFamilyHandle rowCf() {
    return handles.get(3);
  }

  ColumnFamilyHandle columnCf() {
    return handles.get(4);
  }

  ColumnFamilyHandle invertedCf() {
    return handles.get(5);
  }

  ColumnFamilyHandle liveCf() {
    return handles.get(6);
  }

  /** Flushes memtables (used by tests and before backups). */
  public void flush() {
    try (org.rocksdb.FlushOptions fo = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
      db.flush(fo, handles);
    } catch (RocksDBException e) {
      throw failure("flushing", e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ColumnVectorCache.PROCESS.dropStore(cacheNumber);
    sealer.shutdown();
    try {
      if (!sealer.awaitTermination(5, TimeUnit.MINUTES)) {
        LOG.warn("a segment seal did not finish; it is redone on the next open");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      LOG.warn("syncing the WAL of {} on close failed: {}", dir, e.getMessage());
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    writeOptions.close();
    closeOptions();
    OPEN.remove(dir);
  }

  private void closeOptions() {
    dbOptions.close();
    for (ColumnFamilyOptions o : cfOptions) {
      o.close();
    }
    bloom.close();
    blockCache.close();
  }
}
