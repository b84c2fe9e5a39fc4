package io.converge.storage.encoding;

import java.nio.ByteBuffer;

/**
 * What a range filter needs to know about a column segment without reading it: the vector kind,
 * how many rows hold a value, and the smallest and largest value (numbers numerically with NaN
 * largest, strings by {@link String#compareTo}, which agrees with code-point order except across
 * surrogates; readers only use it to skip segments when both agree). Written next to each sealed
 * segment that holds values of a single type.
 */
public record SegmentStats(ColumnVector.Kind kind, int rows, int nonNull, Object min, Object max) {

  /** Statistics of a vector, or null when it has none worth keeping (mixed or empty). */
  public static SegmentStats of(ColumnVector v) {
    Object[] mm = v.minMax();
    if (mm == null) {
      return null;
    }
    return new SegmentStats(v.kind(), v.rows(), v.nonNullCount(), mm[0], mm[1]);
  }

  public byte[] encode() {
    ByteSink out = new ByteSink(32).write((byte) kind.ordinal());
    VarInts.writeUnsigned(out, rows);
    VarInts.writeUnsigned(out, nonNull);
    SortableEncoding.encode(min, out);
    SortableEncoding.encode(max, out);
    return out.toByteArray();
  }

  public static SegmentStats decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    ColumnVector.Kind kind = ColumnVector.Kind.values()[in.get()];
    int rows = VarInts.readInt(in);
    int nonNull = VarInts.readInt(in);
    int[] end = new int[1];
    Object min = SortableEncoding.decode(bytes, in.position(), end);
    Object max = SortableEncoding.decode(bytes, end[0], end);
    return new SegmentStats(kind, rows, nonNull, min, max);
  }
}
