package io.converge.storage.index;

import io.converge.storage.encoding.ColumnSegmentCodec;
import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.Keys;
import io.converge.storage.encoding.SegmentStats;
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
      if (!postScalars(coll, field, tail.segment(), vector, len, isLive, sink)) {
        postByHash(coll, field, tail.segment(), values, len, isLive, sink);
      }
    }
  }

  /**
   * Postings of a column of one fixed-width type (integers, timestamps, doubles, booleans), without
   * boxing or hashing: the live rows' sortable keys are sorted, and rows are grouped by key in row
   * order, so the keys come out in index order. Returns false for other columns.
   */
  static boolean postScalars(int coll, int field, int segment, ColumnVector vector,
      int len, boolean[] isLive, Sink sink) {
    ColumnVector.Kind kind = vector.kind();
    boolean isDouble = kind == ColumnVector.Kind.DOUBLE;
    if (kind != ColumnVector.Kind.LONG && kind != ColumnVector.Kind.TIMESTAMP
        && kind != ColumnVector.Kind.BOOLEAN && !isDouble) {
      return false;
    }
    long[] longs = isDouble ? null : vector.longs();
    double[] doubles = isDouble ? vector.doubles() : null;
    int[] rows = new int[len];
    long[] keys = new long[len];
    int m = 0;
    for (int i = 0; i < len; i++) {
      if (isLive[i] && vector.isPresent(i)) {
        rows[m] = i;
        keys[m++] = isDouble ? signedDoubleKey(doubles[i]) : longs[i];
      }
    }
    if (m == 0) {
      return true;
    }
    long[] distinct = Arrays.copyOf(keys, m);
    Arrays.sort(distinct);
    int d = 1;
    for (int i = 1; i < m; i++) {
      if (distinct[i] != distinct[d - 1]) {
        distinct[d++] = distinct[i];
      }
    }
    // Counting sort of the rows by their key's rank; rows stay increasing within a key.
    int[] rank = new int[m];
    int[] start = new int[d + 1];
    for (int j = 0; j < m; j++) {
      rank[j] = Arrays.binarySearch(distinct, 0, d, keys[j]);
      start[rank[j] + 1]++;
    }
    for (int g = 0; g < d; g++) {
      start[g + 1] += start[g];
    }
    int[] grouped = new int[m];
    int[] fill = Arrays.copyOf(start, d);
    for (int j = 0; j < m; j++) {
      grouped[fill[rank[j]]++] = rows[j];
    }
    for (int g = 0; g < d; g++) {
      Object value = switch (kind) {
        case LONG -> distinct[g];
        case TIMESTAMP -> java.time.Instant.ofEpochMilli(distinct[g]);
        case BOOLEAN -> distinct[g] != 0;
        default -> doubleOfKey(distinct[g]);
      };
      sink.inverted(Keys.inverted(coll, field, SortableEncoding.encode(value), segment),
          Postings.encode(grouped, start[g], start[g + 1] - start[g]));
    }
    return true;
  }

  /**
   * A double's order as a signed long ({@link SortableEncoding}'s bits with the sign flipped):
   * -0.0 is 0.0 and every NaN the canonical one, as {@link #postingKey} and the encoding have it.
   */
  private static long signedDoubleKey(double v) {
    if (v == 0.0d) {
      v = 0.0d;
    }
    long bits = Double.doubleToLongBits(v);
    return (bits < 0 ? ~bits : bits ^ Long.MIN_VALUE) ^ Long.MIN_VALUE;
  }

  private static double doubleOfKey(long key) {
    long s = key ^ Long.MIN_VALUE;
    return Double.longBitsToDouble(s < 0 ? s ^ Long.MIN_VALUE : ~s);
  }

  /** Postings of any column (strings, arrays, mixed types): rows grouped by hashing the values. */
  static void postByHash(int coll, int field, int segment, Object[] values, int len,
      boolean[] isLive, Sink sink) {
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
    Posting[] postings = new Posting[byValue.size()];
    int k = 0;
    for (Map.Entry<Object, IntList> e : byValue.entrySet()) {
      postings[k++] = new Posting(Keys.inverted(coll, field,
          SortableEncoding.encode(postedValue(e.getKey())), segment), e.getValue());
    }
    Arrays.sort(postings, (a, b) -> Arrays.compareUnsigned(a.key, b.key));
    for (Posting p : postings) {
      sink.inverted(p.key, Postings.encode(p.offsets.a, 0, p.offsets.n));
    }
  }

  private record Posting(byte[] key, IntList offsets) {}

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
