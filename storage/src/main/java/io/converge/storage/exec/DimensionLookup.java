package io.converge.storage.exec;

import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.query.DimensionJoin;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link DimensionJoin} made ready for the folds: its keys indexed (a dense array over the key
 * range when the keys are dense enough, a hash map otherwise) and each attribute encoded once, so
 * that a segment's joined rows get their attribute values by array reads. Immutable; shared by
 * the fold threads.
 */
final class DimensionLookup {
  /**
   * Key ranges up to this size are indexed by a dense array (4 MB), and wider ones too while they
   * have a key per 16 slots; a hash map (boxed keys, several times slower to probe) otherwise.
   */
  private static final long DENSE_SPAN = 1 << 20;
  private static final long DENSE_MAX_SPAN = 1 << 24;

  final int factField;
  private final long min;
  /** Dimension row + 1 by {@code key - min}, 0 for none (dense form), or null. */
  private final int[] dense;
  /**
   * Bit {@code key - min} set for each key (dense form): a fact row's membership test reads this
   * (an eighth of a byte per slot, mostly in cache) rather than the row array.
   */
  private final long[] members;
  /** Keys per slot of the dense range (1 for the hash form): the smaller, the more it filters. */
  final double density;
  private final Map<Long, Integer> sparse;
  private final Attribute[] attributes;

  DimensionLookup(DimensionJoin join, int factField) {
    this.factField = factField;
    long[] keys = join.keys();
    long lo = Long.MAX_VALUE;
    long hi = Long.MIN_VALUE;
    for (long k : keys) {
      lo = Math.min(lo, k);
      hi = Math.max(hi, k);
    }
    long span = keys.length == 0 ? 0 : hi - lo + 1;
    if (keys.length > 0 && span > 0
        && (span <= DENSE_SPAN || span <= DENSE_MAX_SPAN && span <= 16L * keys.length)) {
      min = lo;
      dense = new int[(int) span];
      members = new long[(int) ((span + 63) >>> 6)];
      sparse = null;
      for (int r = 0; r < keys.length; r++) {
        int at = (int) (keys[r] - lo);
        if (dense[at] != 0) {
          throw duplicate(join, keys[r]);
        }
        dense[at] = r + 1;
        members[at >>> 6] |= 1L << at;
      }
      density = (double) keys.length / span;
    } else {
      min = 0;
      dense = null;
      members = null;
      density = 1;
      sparse = new HashMap<>(keys.length * 2);
      for (int r = 0; r < keys.length; r++) {
        if (sparse.put(keys[r], r) != null) {
          throw duplicate(join, keys[r]);
        }
      }
    }
    attributes = new Attribute[join.attributes().size()];
    for (int a = 0; a < attributes.length; a++) {
      attributes[a] = Attribute.of(join.attributes().get(a));
    }
  }

  private static IllegalArgumentException duplicate(DimensionJoin join, long key) {
    return new IllegalArgumentException("dimension joined on " + join.factPath()
        + " has the key " + key + " twice");
  }

  /** The dimension row of key {@code k}, or -1. */
  int rowOf(long k) {
    if (dense != null) {
      long at = k - min;
      return at >= 0 && at < dense.length ? dense[(int) at] - 1 : -1;
    }
    Integer r = sparse.get(k);
    return r == null ? -1 : r;
  }

  /** The dimension row joined by row {@code offset} of a segment's foreign key vector, or -1. */
  int rowOf(ColumnVector fk, int offset) {
    if (fk == null || !fk.isPresent(offset)) {
      return -1;
    }
    if (fk.kind() == ColumnVector.Kind.LONG) {
      return rowOf(fk.longs()[offset]);
    }
    return fk.get(offset) instanceof Long l ? rowOf(l) : -1;
  }

  /**
   * Keeps, in place, the first {@code n} {@code offsets} whose foreign key in {@code fk} is a key
   * of this dimension; returns how many remain.
   */
  int filter(ColumnVector fk, int[] offsets, int n) {
    if (fk == null) {
      return 0;
    }
    int k = 0;
    if (fk.kind() == ColumnVector.Kind.LONG && members != null) {
      long[] values = fk.longs();
      long[] present = fk.presence();
      long[] bits = members;
      long span = dense.length;
      long lo = min;
      for (int i = 0; i < n; i++) {
        int o = offsets[i];
        long at = values[o] - lo;
        if ((present == null || (present[o >>> 6] & (1L << o)) != 0)
            && at >= 0 && at < span && (bits[(int) (at >>> 6)] & (1L << at)) != 0) {
          offsets[k++] = o;
        }
      }
      return k;
    }
    for (int i = 0; i < n; i++) {
      int o = offsets[i];
      if (rowOf(fk, o) >= 0) {
        offsets[k++] = o;
      }
    }
    return k;
  }

  /** The dimension rows of the first {@code n} offsets (each of which joins one), into out. */
  void rows(ColumnVector fk, int[] offsets, int n, int[] out) {
    if (fk.kind() == ColumnVector.Kind.LONG && dense != null) {
      long[] values = fk.longs();
      for (int i = 0; i < n; i++) {
        out[i] = dense[(int) (values[offsets[i]] - min)] - 1;
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      out[i] = rowOf(fk, offsets[i]);
    }
  }

  /**
   * A vector of attribute {@code a} for one segment of {@code rows} rows: row {@code offsets[i]}
   * holds the value of dimension row {@code dimRows[i]}, the others none.
   */
  ColumnVector vector(int a, int[] offsets, int[] dimRows, int n, int rows, Buffer buffer) {
    return attributes[a].vector(offsets, dimRows, n, rows, buffer);
  }

  /**
   * One group key's arrays, reused from segment to segment by one fold thread (a key's vector is
   * only read while its segment is folded): no 512 KB array is allocated and zeroed per segment.
   * Only offsets set for the current segment are read: the presence bits are cleared each time.
   */
  static final class Buffer {
    private long[] longs;
    private int[] ints;
    private long[] presence;

    long[] longs(int rows) {
      if (longs == null || longs.length != rows) {
        longs = new long[rows];
      }
      return longs;
    }

    int[] ints(int rows) {
      if (ints == null || ints.length != rows) {
        ints = new int[rows];
      }
      return ints;
    }

    long[] presence(int rows) {
      int words = (rows + 63) >>> 6;
      if (presence == null || presence.length != words) {
        presence = new long[words];
      } else {
        java.util.Arrays.fill(presence, 0L);
      }
      return presence;
    }
  }

  /** An attribute's values, encoded by their common type. */
  private abstract static class Attribute {
    static Attribute of(Object[] values) {
      boolean longs = true;
      boolean strings = true;
      for (Object v : values) {
        longs &= v == null || v instanceof Long;
        strings &= v == null || v instanceof String;
      }
      return longs ? new LongAttribute(values) : strings ? new StringAttribute(values)
          : new BoxedAttribute(values);
    }

    abstract ColumnVector vector(int[] offsets, int[] dimRows, int n, int rows, Buffer buffer);
  }

  private static final class LongAttribute extends Attribute {
    final long[] values;
    final boolean[] isNull;
    /** Bounds of the values, so that a fold keyed by them needs no pass to find its range. */
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;

    LongAttribute(Object[] boxed) {
      values = new long[boxed.length];
      isNull = new boolean[boxed.length];
      for (int r = 0; r < boxed.length; r++) {
        if (boxed[r] == null) {
          isNull[r] = true;
        } else {
          values[r] = (Long) boxed[r];
          min = Math.min(min, values[r]);
          max = Math.max(max, values[r]);
        }
      }
    }

    @Override
    ColumnVector vector(int[] offsets, int[] dimRows, int n, int rows, Buffer buffer) {
      long[] out = buffer.longs(rows);
      long[] present = buffer.presence(rows);
      for (int i = 0; i < n; i++) {
        int r = dimRows[i];
        if (!isNull[r]) {
          int o = offsets[i];
          out[o] = values[r];
          present[o >>> 6] |= 1L << o;
        }
      }
      return min > max ? ColumnVector.ofLongs(out, present)
          : ColumnVector.ofLongs(out, present, min, max);
    }
  }

  /** Strings as dictionary codes: the dictionary holds the attribute's distinct values. */
  private static final class StringAttribute extends Attribute {
    final String[] dictionary;
    /** Code by dimension row, -1 for null. */
    final int[] codes;

    StringAttribute(Object[] boxed) {
      Map<String, Integer> dict = new LinkedHashMap<>();
      codes = new int[boxed.length];
      for (int r = 0; r < boxed.length; r++) {
        codes[r] = boxed[r] == null ? -1
            : dict.computeIfAbsent((String) boxed[r], s -> dict.size());
      }
      dictionary = dict.keySet().toArray(new String[0]);
    }

    @Override
    ColumnVector vector(int[] offsets, int[] dimRows, int n, int rows, Buffer buffer) {
      int[] out = buffer.ints(rows);
      long[] present = buffer.presence(rows);
      for (int i = 0; i < n; i++) {
        int c = codes[dimRows[i]];
        if (c >= 0) {
          int o = offsets[i];
          out[o] = c;
          present[o >>> 6] |= 1L << o;
        }
      }
      return ColumnVector.ofCodes(out, dictionary, present);
    }
  }

  private static final class BoxedAttribute extends Attribute {
    final Object[] values;

    BoxedAttribute(Object[] values) {
      this.values = values;
    }

    @Override
    ColumnVector vector(int[] offsets, int[] dimRows, int n, int rows, Buffer buffer) {
      Object[] out = new Object[rows];
      for (int i = 0; i < n; i++) {
        out[offsets[i]] = values[dimRows[i]];
      }
      return ColumnVector.of(out, rows);
    }
  }

  /** Lookups of {@code joins}, by the fact field ids of {@code snapshot}. */
  static DimensionLookup[] of(List<DimensionJoin> joins, SegmentSource snapshot) {
    DimensionLookup[] out = new DimensionLookup[joins.size()];
    for (int j = 0; j < out.length; j++) {
      out[j] = new DimensionLookup(joins.get(j), snapshot.fieldId(joins.get(j).factPath()));
    }
    return out;
  }
}
