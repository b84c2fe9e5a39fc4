package io.converge.storage.index;

import java.nio.ByteBuffer;
import org.roaringbitmap.RoaringBitmap;

/**
 * The value of an inverted-index key: the row offsets (within one segment) holding a value.
 * Exactly four bytes is a single offset (big-endian int), the common case for unique-valued
 * fields, where a Roaring bitmap would cost five times the space and an allocation to build;
 * anything else is a serialized Roaring bitmap (never four bytes long: its header alone is eight).
 */
public final class Postings {
  private Postings() {}

  /** {@code offsets[0..n)} in increasing order. */
  public static byte[] encode(int[] offsets, int n) {
    return encode(offsets, 0, n);
  }

  /** {@code offsets[from..from + n)} in increasing order. */
  public static byte[] encode(int[] offsets, int from, int n) {
    if (n == 1) {
      int v = offsets[from];
      return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
    RoaringBitmap b = new RoaringBitmap();
    b.addN(offsets, from, n);
    return SegmentSealer.serialize(b);
  }

  public static RoaringBitmap decode(byte[] bytes) {
    if (bytes.length == 4) {
      return RoaringBitmap.bitmapOf(ByteBuffer.wrap(bytes).getInt());
    }
    return SegmentSealer.deserialize(bytes);
  }
}
