package io.converge.storage.index;

import io.converge.storage.encoding.ColumnSegmentCodec;
import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.SegmentStats;
import io.converge.storage.encoding.Keys;
import io.converge.storage.encoding.SortableEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
    // Fields in id order and values in key order: the batch's keys come out sorted, which makes
    // the memtable inserts cheaper.
    Object[][] columns = tail.columns();
    boolean[] isLive = new boolean[n];
    live.forEach((int i) -> {
      if (i < n) {
        isLive[i] = true;
      }
    });
    for (int field = 0; field < columns.length; field++) {
      Object[] values = columns[field];
      if (values == null) {
        continue;
      }
      int len = Math.min(n, values.length);
      ColumnVector vector = ColumnVector.of(values, len);
      sink.column(Keys.column(coll, field, tail.segment()),
          ColumnSegmentCodec.encode(vector, values, len));
      SegmentStats stats = SegmentStats.of(vector);
      if (stats != null) {
        sink.column(Keys.columnStats(coll, field, tail.segment()), stats.encode());
      }
      if (field == CollectionState.ID_FIELD) {
        continue;
      }
      // Group offsets by value first (hashing the value objects), encode each distinct value once.
      Map<Object, IntList> byValue = new HashMap<>();
      for (int i = 0; i < len; i++) {
        Object v = values[i];
        if (v == null || !isLive[i]) {
          continue;
        }
        if (v instanceof List<?> list) {
          for (Object el : list) {
            byValue.computeIfAbsent(postingKey(el), k -> new IntList()).addOnce(i);
          }
        } else {
          byValue.computeIfAbsent(postingKey(v), k -> new IntList()).add(i);
        }
      }
      byte[][] keys = new byte[byValue.size()][];
      IntList[] offsets = new IntList[keys.length];
      int k = 0;
      for (Map.Entry<Object, IntList> e : byValue.entrySet()) {
        keys[k] = Keys.inverted(coll, field, SortableEncoding.encode(postedValue(e.getKey())),
            tail.segment());
        offsets[k++] = e.getValue();
      }
      Integer[] order = new Integer[keys.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys[a], keys[b]));
      for (int i : order) {
        sink.inverted(keys[i], Postings.encode(offsets[i].a, offsets[i].n));
      }
    }
  }

  /** Null array elements need a map key; -0.0 and 0.0 are one SQL value. */
  private static final Object NULL_KEY = new Object();

  /** The key a value is posted under (see {@link #postedValue} for the value it encodes). */
  public static Object postingKey(Object v) {
    if (v == null) {
      return NULL_KEY;
    }
    if (v instanceof Double d && d == 0.0d) {
      return 0.0d;
    }
    return v;
  }

  /** The value a {@link #postingKey} stands for, as {@link SortableEncoding} encodes it. */
  public static Object postedValue(Object key) {
    return key == NULL_KEY ? null : key;
  }

  /** Offsets in increasing order, without boxing. */
  private static final class IntList {
    private int[] a = new int[4];
    private int n;

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    /** Adds unless it is the last one added (an array holding one value twice). */
    void addOnce(int v) {
      if (n == 0 || a[n - 1] != v) {
        add(v);
      }
    }

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
