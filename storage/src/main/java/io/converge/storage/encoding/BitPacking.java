package io.converge.storage.encoding;

import java.nio.ByteBuffer;

/**
 * Fixed-width bit packing of non-negative offsets into 64-bit words (value i occupies bits
 * {@code [i * width, (i + 1) * width)}), the integer and dictionary-code layout of column segments.
 */
public final class BitPacking {
  private BitPacking() {}

  /** Bits needed for unsigned values up to {@code maxDelta} (0 when every value is the base). */
  public static int width(long maxDelta) {
    return 64 - Long.numberOfLeadingZeros(maxDelta);
  }

  public static void pack(long[] values, int n, long base, int width, ByteSink out) {
    if (width == 0) {
      return;
    }
    long[] words = new long[(int) (((long) n * width + 63) >>> 6)];
    for (int i = 0; i < n; i++) {
      long d = values[i] - base;
      long bit = (long) i * width;
      int word = (int) (bit >>> 6);
      int shift = (int) (bit & 63);
      words[word] |= d << shift;
      if (shift + width > 64) {
        words[word + 1] |= d >>> (64 - shift);
      }
    }
    for (long w : words) {
      out.writeLong(w);
    }
  }

  private static long[] readWords(ByteBuffer in, int n, int width) {
    long[] words = new long[(int) (((long) n * width + 63) >>> 6)];
    in.asLongBuffer().get(words);
    in.position(in.position() + words.length * 8);
    return words;
  }

  public static long[] unpack(ByteBuffer in, int n, long base, int width) {
    long[] out = new long[n];
    if (width == 0) {
      java.util.Arrays.fill(out, base);
      return out;
    }
    long[] words = readWords(in, n, width);
    long mask = width == 64 ? -1L : (1L << width) - 1;
    for (int i = 0; i < n; i++) {
      long bit = (long) i * width;
      int word = (int) (bit >>> 6);
      int shift = (int) (bit & 63);
      long v = words[word] >>> shift;
      if (shift + width > 64) {
        v |= words[word + 1] << (64 - shift);
      }
      out[i] = base + (v & mask);
    }
    return out;
  }

  /**
   * The width dictionary codes are packed with: {@code width(maxCode)} rounded up to 1, 2, 4, 8,
   * 16 or 32 bits, so no code straddles two words and decoding is a shift per code.
   */
  public static int codeWidth(long maxCode) {
    int w = width(maxCode);
    return w <= 1 ? w : Integer.highestOneBit(w - 1) << 1;
  }

  public static int[] unpackInts(ByteBuffer in, int n, int width) {
    int[] out = new int[n];
    if (width == 0) {
      return out;
    }
    long[] words = readWords(in, n, width);
    long mask = (1L << width) - 1;
    if (64 % width == 0) {
      // No value straddles two words: one shift and mask per value.
      int perWord = 64 / width;
      int i = 0;
      for (long w : words) {
        for (int k = 0; k < perWord && i < n; k++, i++) {
          out[i] = (int) (w & mask);
          w >>>= width;
        }
      }
      return out;
    }
    for (int i = 0; i < n; i++) {
      long bit = (long) i * width;
      int word = (int) (bit >>> 6);
      int shift = (int) (bit & 63);
      long v = words[word] >>> shift;
      if (shift + width > 64) {
        v |= words[word + 1] << (64 - shift);
      }
      out[i] = (int) (v & mask);
    }
    return out;
  }
}
