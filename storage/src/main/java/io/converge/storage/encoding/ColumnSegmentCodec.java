package io.converge.storage.encoding;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes one field's values for one segment (a fixed rid range) as a column, and decodes it into
 * a {@link ColumnVector}.
 *
 * <p>Layout (version 2): {@code 0x00 0x02}, the vector kind, row count, non-null count, the
 * presence bitset when some rows have no value, then by kind: integers, timestamps and booleans
 * as a base and bit-packed offsets from it (width = bits of max - min); doubles raw (8 bytes per
 * row); low-cardinality strings as a sorted dictionary and bit-packed codes; other strings
 * length-prefixed per present row. A segment holding several types keeps the version-1 layout
 * (one type tag per row, then the payloads), which is also how segments written before version 2
 * are read: version 1 starts with the row count as a varint, never with a zero byte.
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
  private static final int DICTIONARY_MAX = ColumnVector.DICTIONARY_MAX;

  private static final byte V2_MARK = 0;
  private static final byte V2 = 2;

  private ColumnSegmentCodec() {}

  public static byte[] encode(Object[] values, int n) {
    return encode(ColumnVector.of(values, n), values, n);
  }

  /** Encodes {@code values}, of which {@code v} is the vector form ({@link ColumnVector#of}). */
  public static byte[] encode(ColumnVector v, Object[] values, int n) {
    ByteSink out = new ByteSink(n * 2 + 32);
    if (v.kind() == ColumnVector.Kind.MIXED) {
      encodeTagged(values, n, out);
      return out.toByteArray();
    }
    ColumnVector.Kind kind = v.kind();
    String[] dict = null;
    if (kind == ColumnVector.Kind.STRING) {
      dict = ColumnVector.sortedDictionary(v.objects(), n, v.nonNullCount());
      if (dict != null) {
        kind = ColumnVector.Kind.STRING_DICT;
      }
    }
    out.write(V2_MARK).write(V2).write((byte) kind.ordinal());
    VarInts.writeUnsigned(out, n);
    VarInts.writeUnsigned(out, v.nonNullCount());
    long[] presence = v.presence();
    if (presence != null && v.nonNullCount() > 0) {
      for (long w : presence) {
        out.writeLong(w);
      }
    }
    switch (kind) {
      case NULLS -> { }
      case LONG, BOOLEAN, TIMESTAMP -> packLongs(v.longs(), n, v, out);
      case DOUBLE -> {
        double[] d = v.doubles();
        for (int i = 0; i < n; i++) {
          out.writeLong(Double.doubleToRawLongBits(d[i]));
        }
      }
      case STRING_DICT -> {
        Map<String, Integer> codeOf = new HashMap<>();
        VarInts.writeUnsigned(out, dict.length);
        for (int i = 0; i < dict.length; i++) {
          out.writeString(dict[i]);
          codeOf.put(dict[i], i);
        }
        long[] codes = new long[n];
        Object[] strings = v.objects();
        for (int i = 0; i < n; i++) {
          if (strings[i] != null) {
            codes[i] = codeOf.get((String) strings[i]);
          }
        }
        int width = BitPacking.codeWidth(dict.length - 1L);
        out.write((byte) width);
        BitPacking.pack(codes, n, 0, width, out);
      }
      case STRING -> {
        Object[] strings = v.objects();
        for (int i = 0; i < n; i++) {
          if (strings[i] != null) {
            out.writeString((String) strings[i]);
          }
        }
      }
      default -> throw new IllegalStateException(kind.toString());
    }
    return out.toByteArray();
  }

  private static void packLongs(long[] longs, int n, ColumnVector v, ByteSink out) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      if (v.isPresent(i)) {
        min = Math.min(min, longs[i]);
        max = Math.max(max, longs[i]);
      }
    }
    // Absent rows pack as offset 0 (their value is never read).
    long[] deltas = new long[n];
    for (int i = 0; i < n; i++) {
      deltas[i] = v.isPresent(i) ? longs[i] - min : 0;
    }
    int width = BitPacking.width(max - min);
    VarInts.writeSigned(out, min);
    out.write((byte) width);
    BitPacking.pack(deltas, n, 0, width, out);
  }

  /** Decodes a segment into one object per row (null where the row has no value). */
  public static Object[] decode(byte[] bytes) {
    return decodeVector(bytes).toObjects();
  }

  /** Decodes a segment into its vector form. */
  public static ColumnVector decodeVector(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (bytes.length < 2 || bytes[0] != V2_MARK) {
      Object[] values = decodeTagged(in);
      return ColumnVector.of(values, values.length);
    }
    if (bytes[1] != V2) {
      throw new IllegalArgumentException("corrupt column segment: version " + bytes[1]);
    }
    in.position(2);
    ColumnVector.Kind kind = ColumnVector.Kind.values()[in.get()];
    int n = VarInts.readInt(in);
    int nonNull = VarInts.readInt(in);
    long[] presence = null;
    if (nonNull != n && nonNull > 0) {
      presence = new long[(n + 63) >>> 6];
      in.asLongBuffer().get(presence);
      in.position(in.position() + presence.length * 8);
    } else if (nonNull == 0) {
      presence = new long[(n + 63) >>> 6];
    }
    switch (kind) {
      case NULLS:
        return new ColumnVector(kind, n, 0, presence, null, null, null, null, null);
      case LONG:
      case BOOLEAN:
      case TIMESTAMP: {
        long base = VarInts.readSigned(in);
        int width = in.get();
        long[] longs = BitPacking.unpack(in, n, base, width);
        return new ColumnVector(kind, n, nonNull, presence, longs, null, null, null, null);
      }
      case DOUBLE: {
        double[] d = new double[n];
        in.asDoubleBuffer().get(d);
        in.position(in.position() + n * 8);
        return new ColumnVector(kind, n, nonNull, presence, null, d, null, null, null);
      }
      case STRING_DICT: {
        int size = VarInts.readInt(in);
        String[] dict = new String[size];
        for (int i = 0; i < size; i++) {
          dict[i] = DocumentCodec.readString(in);
        }
        int width = in.get();
        int[] codes = BitPacking.unpackInts(in, n, width);
        return new ColumnVector(kind, n, nonNull, presence, null, null, codes, dict, null);
      }
      case STRING: {
        Object[] strings = new Object[n];
        for (int i = 0; i < n; i++) {
          if (presence == null || (presence[i >>> 6] & (1L << i)) != 0) {
            strings[i] = DocumentCodec.readString(in);
          }
        }
        return new ColumnVector(kind, n, nonNull, presence, null, null, null, null, strings);
      }
      default:
        throw new IllegalArgumentException("corrupt column segment: kind " + kind);
    }
  }

  /** The version-1 form (one type tag per row), kept for segments holding more than one type. */
  private static void encodeTagged(Object[] values, int n, ByteSink out) {
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

  private static Object[] decodeTagged(ByteBuffer in) {
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
