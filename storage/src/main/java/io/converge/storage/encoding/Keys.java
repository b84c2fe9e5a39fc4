package io.converge.storage.encoding;

import java.nio.charset.StandardCharsets;

/**
 * Every RocksDB key Converge writes, in one place. Integers are big-endian so that the keys of one
 * collection (and of one field) are contiguous and in rid / segment order; {@code coll} is the
 * collection's int id, {@code field} a field id of its {@code CollectionState}, {@code segment}
 * the rid range {@code segment << 16 .. +65,535}. One column family per {@link KeySpace}:
 *
 * <pre>
 * catalog:  0x01 name-utf8                  -> collection id (int)
 *           0x02 coll                       -> collection state (CollectionState: rid counter,
 *                                              live count, schema version, field ids and
 *                                              per-type counts)
 *           0x03 coll source-utf8           -> next offset of that source (long), written with
 *                                              the batch it belongs to (SourceOffsets)
 *           0x04 coll                       -> number of sealed segments (int)
 *           0x05                            -> next collection id (int; ids are never reused)
 *           0x06 coll                       -> declared schema (CREATE TABLE), when there is one
 * pk:       coll _id-utf8                   -> rid (long)
 * row:      coll rid(long)                  -> document (DocumentCodec)
 * column:   coll field segment              -> column segment (ColumnSegmentCodec)
 *           coll field segment 0x01         -> its min/max statistics (SegmentStats), when the
 *                                              segment holds a single type
 * inverted: coll field sortable-value segment -> offsets in the segment holding the value
 *                                              (Postings: one int, or a Roaring bitmap)
 * live:     coll segment                    -> offsets still live in the segment (Roaring bitmap)
 * </pre>
 *
 * Only segments below the sealed count have column and inverted keys; newer rows are in memory
 * and rebuilt from the row store on open.
 */
public final class Keys {
  public static final byte CATALOG_NAME = 0x01;
  public static final byte CATALOG_STATE = 0x02;
  public static final byte CATALOG_SOURCE = 0x03;
  public static final byte CATALOG_SEALED = 0x04;
  public static final byte CATALOG_NEXT_COLLECTION = 0x05;
  public static final byte CATALOG_DECLARED = 0x06;

  private Keys() {}

  public static byte[] catalogName(String name) {
    return new ByteSink(1 + name.length() * 3).write(CATALOG_NAME)
        .write(name.getBytes(StandardCharsets.UTF_8)).toByteArray();
  }

  public static byte[] catalogState(int coll) {
    return new ByteSink(5).write(CATALOG_STATE).writeInt(coll).toByteArray();
  }

  public static byte[] catalogSealed(int coll) {
    return new ByteSink(5).write(CATALOG_SEALED).writeInt(coll).toByteArray();
  }

  public static byte[] catalogDeclared(int coll) {
    return new ByteSink(5).write(CATALOG_DECLARED).writeInt(coll).toByteArray();
  }

  public static byte[] catalogNextCollection() {
    return new byte[] {CATALOG_NEXT_COLLECTION};
  }

  /** The next offset of one source of a collection ({@code source} must be well-formed). */
  public static byte[] catalogSource(int coll, String source) {
    return new ByteSink(8 + source.length() * 3).write(CATALOG_SOURCE).writeInt(coll)
        .write(source.getBytes(StandardCharsets.UTF_8)).toByteArray();
  }

  /**
   * True when {@code s} has no unpaired UTF-16 surrogate, so that its UTF-8 form (the one keys
   * hold) is exact: Java encodes an unpaired surrogate as {@code ?}, and {@code "x\uD800"} would
   * share its key with {@code "x?"}. Strings that go into keys must pass this.
   */
  public static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  public static byte[] pk(int coll, String id) {
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    return new ByteSink(4 + idBytes.length).writeInt(coll).write(idBytes).toByteArray();
  }

  public static byte[] row(int coll, long rid) {
    return new ByteSink(12).writeInt(coll).writeLong(rid).toByteArray();
  }

  public static long ridOfRowKey(byte[] key) {
    return readLong(key, 4);
  }

  public static byte[] column(int coll, int field, int segment) {
    return new ByteSink(12).writeInt(coll).writeInt(field).writeInt(segment).toByteArray();
  }

  /**
   * Min/max statistics of one column segment: the column key plus one byte, so it sorts right
   * after the segment it describes.
   */
  public static byte[] columnStats(int coll, int field, int segment) {
    return new ByteSink(13).writeInt(coll).writeInt(field).writeInt(segment).write((byte) 1)
        .toByteArray();
  }

  public static byte[] invertedPrefix(int coll, int field, Object value) {
    ByteSink out = new ByteSink(24).writeInt(coll).writeInt(field);
    SortableEncoding.encode(value, out);
    return out.toByteArray();
  }

  /** {@code encodedValue} is a {@link SortableEncoding} of the value. */
  public static byte[] inverted(int coll, int field, byte[] encodedValue, int segment) {
    return new ByteSink(12 + encodedValue.length).writeInt(coll).writeInt(field)
        .write(encodedValue).writeInt(segment).toByteArray();
  }

  public static byte[] live(int coll, int segment) {
    return new ByteSink(8).writeInt(coll).writeInt(segment).toByteArray();
  }

  /** First key of a collection in any key space keyed by collection id. */
  public static byte[] collectionStart(int coll) {
    return new ByteSink(4).writeInt(coll).toByteArray();
  }

  /** First key after every key of a collection. */
  public static byte[] collectionEnd(int coll) {
    return new ByteSink(4).writeInt(coll + 1).toByteArray();
  }

  public static int readInt(byte[] b, int p) {
    return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8)
        | (b[p + 3] & 0xFF);
  }

  public static long readLong(byte[] b, int p) {
    return SortableEncoding.readLong(b, p);
  }

  public static byte[] longBytes(long v) {
    return new ByteSink(8).writeLong(v).toByteArray();
  }

  public static byte[] intBytes(int v) {
    return new ByteSink(4).writeInt(v).toByteArray();
  }

  /** True when {@code key} starts with {@code prefix}. */
  public static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
