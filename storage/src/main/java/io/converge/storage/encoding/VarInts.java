package io.converge.storage.encoding;

import java.nio.ByteBuffer;

/** Unsigned LEB128 varints and zig-zag signed varlongs, used by the compact (non-sortable) codecs. */
public final class VarInts {
  private VarInts() {}

  public static void writeUnsigned(ByteSink out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((byte) v);
  }

  public static void writeSigned(ByteSink out, long v) {
    writeUnsigned(out, (v << 1) ^ (v >> 63));
  }

  public static long readUnsigned(ByteBuffer in) {
    long result = 0;
    int shift = 0;
    while (true) {
      byte b = in.get();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
      shift += 7;
      if (shift > 63) {
        throw new IllegalArgumentException("varint too long");
      }
    }
  }

  public static long readSigned(ByteBuffer in) {
    long u = readUnsigned(in);
    return (u >>> 1) ^ -(u & 1);
  }

  public static int readInt(ByteBuffer in) {
    long v = readUnsigned(in);
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("length out of range: " + v);
    }
    return (int) v;
  }
}
