package io.converge.storage.encoding;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Order-preserving binary encoding of scalar values, used inside inverted-index keys.
 *
 * <p>Layout: one type tag byte, then the payload. Within one type, unsigned byte order equals SQL
 * order, so an equality predicate is a prefix seek and a range is seek + iterate.
 * <ul>
 *   <li>NULL: tag only.
 *   <li>BOOL: tag {@code 0x10} (false) or {@code 0x11} (true).
 *   <li>INT and TIMESTAMP (epoch millis): 8 bytes big-endian with the sign bit flipped.
 *   <li>DOUBLE: 8 bytes of IEEE bits, all bits flipped for negatives and only the sign bit for
 *       positives. {@code -0.0} is stored as {@code 0.0} (SQL equality); NaN is canonical and sorts
 *       above +Infinity (as {@link Double#compare}).
 *   <li>STRING: UTF-8 with {@code 0x00} escaped as {@code 0x00 0xFF}, terminated by
 *       {@code 0x00 0x01}, so the encoding is self-delimiting and a prefix never sorts after its
 *       extensions. Order is Unicode code point order.
 * </ul>
 */
public final class SortableEncoding {
  public static final byte NULL = 0x08;
  public static final byte FALSE = 0x10;
  public static final byte TRUE = 0x11;
  public static final byte INT = 0x20;
  public static final byte DOUBLE = 0x28;
  public static final byte TIMESTAMP = 0x30;
  public static final byte STRING = 0x40;

  private SortableEncoding() {}

  public static byte[] encode(Object value) {
    ByteSink out = new ByteSink(16);
    encode(value, out);
    return out.toByteArray();
  }

  /** Encodes a scalar: null, Boolean, Long, Double, String or Instant. */
  public static void encode(Object value, ByteSink out) {
    if (value == null) {
      out.write(NULL);
    } else if (value instanceof Boolean b) {
      out.write(b ? TRUE : FALSE);
    } else if (value instanceof Long l) {
      out.write(INT).writeLong(l ^ Long.MIN_VALUE);
    } else if (value instanceof Double d) {
      out.write(DOUBLE).writeLong(sortableDoubleBits(d));
    } else if (value instanceof Instant t) {
      out.write(TIMESTAMP).writeLong(t.toEpochMilli() ^ Long.MIN_VALUE);
    } else if (value instanceof String s) {
      out.write(STRING);
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      for (byte b : utf8) {
        out.write(b);
        if (b == 0) {
          out.write((byte) 0xFF);
        }
      }
      out.write((byte) 0).write((byte) 1);
    } else {
      throw new IllegalArgumentException("not a sortable scalar: " + value.getClass().getName());
    }
  }

  static long sortableDoubleBits(double d) {
    if (d == 0.0d) {
      d = 0.0d; // folds -0.0 into 0.0
    }
    long bits = Double.doubleToLongBits(d); // canonical NaN
    return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
  }

  /** Decodes the value at {@code offset}; {@code end[0]} receives the offset just past it. */
  public static Object decode(byte[] buf, int offset, int[] end) {
    byte tag = buf[offset];
    int p = offset + 1;
    Object v;
    switch (tag) {
      case NULL -> v = null;
      case FALSE -> v = Boolean.FALSE;
      case TRUE -> v = Boolean.TRUE;
      case INT -> {
        v = readLong(buf, p) ^ Long.MIN_VALUE;
        p += 8;
      }
      case TIMESTAMP -> {
        v = Instant.ofEpochMilli(readLong(buf, p) ^ Long.MIN_VALUE);
        p += 8;
      }
      case DOUBLE -> {
        long s = readLong(buf, p);
        p += 8;
        v = Double.longBitsToDouble(s < 0 ? s ^ Long.MIN_VALUE : ~s);
      }
      case STRING -> {
        ByteSink raw = new ByteSink(16);
        while (true) {
          byte b = buf[p++];
          if (b == 0) {
            byte next = buf[p++];
            if (next == 1) {
              break;
            } else if (next == (byte) 0xFF) {
              raw.write((byte) 0);
            } else {
              throw new IllegalArgumentException("bad string escape at " + (p - 1));
            }
          } else {
            raw.write(b);
          }
        }
        v = new String(raw.toByteArray(), StandardCharsets.UTF_8);
      }
      default -> throw new IllegalArgumentException("unknown sortable tag " + tag);
    }
    if (end != null) {
      end[0] = p;
    }
    return v;
  }

  public static Object decode(byte[] buf) {
    return decode(buf, 0, null);
  }

  static long readLong(byte[] b, int p) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[p + i] & 0xFF);
    }
    return v;
  }
}
