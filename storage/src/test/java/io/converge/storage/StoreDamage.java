package io.converge.storage;

import io.converge.storage.encoding.KeySpace;
import org.rocksdb.RocksDBException;

/** Writes keys behind a store's back, as a bug or a bad disk would (for tests of the checker). */
public final class StoreDamage {
  private StoreDamage() {}

  public static void delete(ConvergeStore store, KeySpace space, byte[] key)
      throws RocksDBException {
    store.db().delete(store.cf(space), key);
  }

  public static void put(ConvergeStore store, KeySpace space, byte[] key, byte[] value)
      throws RocksDBException {
    store.db().put(store.cf(space), key, value);
  }
}
