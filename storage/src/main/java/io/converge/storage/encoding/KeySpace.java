package io.converge.storage.encoding;

import java.util.Locale;

/**
 * The key spaces of a data directory, one RocksDB column family each (layouts in {@link Keys}).
 * The order is the order the families are opened in; new ones go at the end.
 */
public enum KeySpace {
  CATALOG, PK, ROW, COLUMN, INVERTED, LIVE;

  /** The column family's name on disk. */
  public String familyName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
