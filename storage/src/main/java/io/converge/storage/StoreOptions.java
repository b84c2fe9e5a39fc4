package io.converge.storage;

/**
 * How a {@link ConvergeStore} is opened. {@link #defaults()} is what a store whose writes are
 * acknowledged to clients needs; a store that is a replica of a log it can re-read may relax it.
 *
 * @param syncWrites whether each write waits for its WAL to reach the disk (fsync) before it
 *     returns. Either way every write is in the WAL, in the operating system's page cache, when
 *     it returns: a process crash ({@code kill -9}) loses nothing. Without sync an operating
 *     system crash or power loss may lose the last writes; RocksDB then recovers a prefix of
 *     them (no write is half applied), so a store that keeps its source's offset in the same
 *     write as the data resumes from the offset it recovered.
 */
public record StoreOptions(boolean syncWrites) {

  /** Every write synced: a write that returned survives an operating system crash. */
  public static StoreOptions defaults() {
    return new StoreOptions(true);
  }

  /** These options with {@link #syncWrites} set to {@code sync}. */
  public StoreOptions syncWrites(boolean sync) {
    return new StoreOptions(sync);
  }
}
