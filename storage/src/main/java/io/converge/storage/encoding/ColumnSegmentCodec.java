package io.converge.storage.encoding;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes one field's values for one segment (a fixed rid range) as a column.
 *
 * <p>Layout: row count; one type tag per row; a string dictionary (empty when the column's
 * strings are mostly distinct); then the payload of every non-null row in row order: zig-zag
 * varlongs for integers and timestamps, raw 8-byte doubles, dictionary codes or inline strings,
 * {@link DocumentCodec} arrays. RocksDB's LZ4 block compression squeezes the tag runs.
 */
public final class ColumnSegmentCodec {
  static final byte NULL = 0;
  static final byte FALSE = 1;
  static final byte TRUE = 2;
  static final byte LONG = 3;
  static final byte DOUBLE = 4;
  static final byte STRING = 5;
  static final byte TIMESTAMP = 6;
  static final byte ARRAY = 7;

  /** Dictionary-encode strings when at most this fraction of the rows is distinct. */
  private static final int DICTIONARY_MAX = 1 << 14;

  private ColumnSegmentCodec() {}

  public static byte[] encode(Object[] values, int n) {
    ByteSink out = new ByteSink(n * 4 + 16);
    VarInts.writeUnsigned(out, n);
    Map<String, Integer> dict = new HashMap<>();
    int strings = 0;
    boolean abandoned = false;
    for (int i = 0; i < n; i++) {
      Object v = values[i];
      out.write(tagOf(v));
      if (v instanceof String s) {
        strings++;
        // Stop building the dictionary once the strings are clearly mostly distinct.
        if (!abandoned) {
          dict.putIfAbsent(s, dict.size());
          abandoned = dict.size() > DICTIONARY_MAX || (strings >= 1024 && dict.size() * 2 > strings);
        }
      }
    }
    boolean useDict = strings > 0 && !abandoned && dict.size() * 2 <= strings;
    if (useDict) {
      String[] byCode = new String[dict.size()];
      dict.forEach((s, code) -> byCode[code] = s);
      VarInts.writeUnsigned(out, byCode.length);
      for (String s : byCode) {
        out.writeString(s);
      }
    } else {
      VarInts.writeUnsigned(out, 0);
    }
    for (int i = 0; i < n; i++) {
      Object v = values[i];
      if (v == null || v instanceof Boolean) {
        continue;
      } else if (v instanceof Long l) {
        VarInts.writeSigned(out, l);
      } else if (v instanceof Double d) {
        out.writeLong(Double.doubleToRawLongBits(d));
      } else if (v instanceof String s) {
        if (useDict) {
          VarInts.writeUnsigned(out, dict.get(s));
        } else {
          out.writeString(s);
        }
      } else if (v instanceof Instant t) {
        VarInts.writeSigned(out, t.toEpochMilli());
      } else {
        DocumentCodec.write(v, out);
      }
    }
    return out.toByteArray();
  }

  private static byte tagOf(Object v) {
    if (v == null) {
      return NULL;
    } else if (v instanceof Boolean b) {
      return b ? TRUE : FALSE;
    } else if (v instanceof Long) {
      return LONG;
    } else if (v instanceof Double) {
      return DOUBLE;
    } else if (v instanceof String) {
      return STRING;
    } else if (v instanceof Instant) {
      return TIMESTAMP;
    } else if (v instanceof List) {
      return ARRAY;
    }
    throw new IllegalArgumentException("not a column value: " + v.getClass().getName());
  }

  /** Decodes a segment into one object per row (null where the row has no value). */
  public static Object[] decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int n = VarInts.readInt(in);
    byte[] tags = new byte[n];
    in.get(tags);
    int dictSize = VarInts.readInt(in);
    String[] dict = new String[dictSize];
    for (int i = 0; i < dictSize; i++) {
      dict[i] = DocumentCodec.readString(in);
    }
    Object[] values = new Object[n];
    for (int i = 0; i < n; i++) {
      switch (tags[i]) {
        case NULL -> { }
        case FALSE -> values[i] = Boolean.FALSE;
        case TRUE -> values[i] = Boolean.TRUE;
        case LONG -> values[i] = VarInts.readSigned(in);
        case DOUBLE -> values[i] = Double.longBitsToDouble(in.getLong());
        case STRING -> values[i] = dictSize > 0 ? dict[VarInts.readInt(in)] : DocumentCodec.readString(in);
        case TIMESTAMP -> values[i] = Instant.ofEpochMilli(VarInts.readSigned(in));
        case ARRAY -> values[i] = DocumentCodec.read(in);
        default -> throw new IllegalArgumentException("corrupt column segment: tag " + tags[i]);
      }
    }
    return values;
  }
}
