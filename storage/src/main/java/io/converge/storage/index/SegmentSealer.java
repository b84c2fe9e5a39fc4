package io.converge.storage.index;

import io.converge.storage.encoding.ByteSink;
import io.converge.storage.encoding.ColumnSegmentCodec;
import io.converge.storage.encoding.Keys;
import io.converge.storage.encoding.SortableEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * Turns a full tail segment into its immutable RocksDB form: one column-segment key per field and
 * clustered postings (one key per field, value and segment, holding a bitmap of row offsets) for
 * the inverted index. Array elements are posted individually. {@code _id} has no postings: the pk
 * key space serves it. Columns hold null for both JSON null and a missing field (both are SQL
 * NULL), so nulls are not posted: IS NULL is the complement of the field's postings.
 */
public final class SegmentSealer {
  /** Receives each key/value to write, tagged with its key space. */
  public interface Sink {
    void column(byte[] key, byte[] value);

    void inverted(byte[] key, byte[] value);
  }

  private SegmentSealer() {}

  public static void seal(int coll, TailSegment tail, RoaringBitmap live, Sink sink) {
    int n = tail.count();
    for (Map.Entry<Integer, Object[]> e : tail.columns().entrySet()) {
      int field = e.getKey();
      Object[] values = e.getValue();
      int len = Math.min(n, values.length);
      sink.column(Keys.column(coll, field, tail.segment()), ColumnSegmentCodec.encode(values, len));
      if (field == CollectionState.ID_FIELD) {
        continue;
      }
      Map<ByteBuffer, RoaringBitmap> postings = new HashMap<>();
      ByteSink scratch = new ByteSink(32);
      for (int i = 0; i < len; i++) {
        Object v = values[i];
        if (v == null || !live.contains(i)) {
          continue;
        }
        if (v instanceof List<?> list) {
          for (Object el : list) {
            post(postings, scratch, el, i);
          }
        } else {
          post(postings, scratch, v, i);
        }
      }
      for (Map.Entry<ByteBuffer, RoaringBitmap> p : postings.entrySet()) {
        sink.inverted(Keys.inverted(coll, field, p.getKey().array(), tail.segment()),
            serialize(p.getValue()));
      }
    }
  }

  private static void post(Map<ByteBuffer, RoaringBitmap> postings, ByteSink scratch, Object v,
      int offset) {
    scratch.reset();
    SortableEncoding.encode(v, scratch);
    ByteBuffer key = ByteBuffer.wrap(scratch.toByteArray());
    postings.computeIfAbsent(key, k -> new RoaringBitmap()).add(offset);
  }

  public static byte[] serialize(RoaringBitmap bitmap) {
    bitmap.runOptimize();
    ByteBuffer buf = ByteBuffer.allocate(bitmap.serializedSizeInBytes());
    bitmap.serialize(buf);
    return buf.array();
  }

  public static RoaringBitmap deserialize(byte[] bytes) {
    RoaringBitmap b = new RoaringBitmap();
    try {
      b.deserialize(ByteBuffer.wrap(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b;
  }
}
