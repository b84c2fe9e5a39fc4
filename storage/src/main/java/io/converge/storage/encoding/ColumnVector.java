package io.converge.storage.encoding;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One field's values in one segment, decoded into primitive arrays so that scans, filters and
 * aggregates run as tight loops: longs for integers, timestamps (epoch millis) and booleans (0/1),
 * raw doubles, dictionary codes for low-cardinality strings, and a presence bitset (a row without
 * a value, missing or JSON null, is SQL NULL). A segment whose values are of more than one type is
 * {@link Kind#MIXED} and keeps boxed objects.
 *
 * <p>Dictionaries are sorted by {@link String#compareTo}, so code order is string order and a
 * group's MIN/MAX is the MIN/MAX of its codes.
 */
public final class ColumnVector {
  public enum Kind { NULLS, BOOLEAN, LONG, DOUBLE, TIMESTAMP, STRING_DICT, STRING, MIXED }

  private final Kind kind;
  private final int rows;
  private final int nonNull;
  /** Bit i set when row i has a value; null when every row has one. */
  private final long[] present;
  private final long[] longs;
  private final double[] doubles;
  private final int[] codes;
  private final String[] dict;
  private final Object[] objects;
  /** Known bounds of the values ({@link #minMax}), or null to compute them. */
  private final Object[] bounds;
  /**
   * {@link #minMax} once computed: folds ask every cached segment for it at each query (any
   * thread computes the same bounds).
   */
  private volatile Object[] computedMinMax;

  ColumnVector(Kind kind, int rows, int nonNull, long[] present, long[] longs, double[] doubles,
      int[] codes, String[] dict, Object[] objects) {
    this(kind, rows, nonNull, present, longs, doubles, codes, dict, objects, null);
  }

  private ColumnVector(Kind kind, int rows, int nonNull, long[] present, long[] longs,
      double[] doubles, int[] codes, String[] dict, Object[] objects, Object[] bounds) {
    this.kind = kind;
    this.rows = rows;
    this.nonNull = nonNull;
    this.present = nonNull == rows ? null : present;
    this.longs = longs;
    this.doubles = doubles;
    this.codes = codes;
    this.dict = dict;
    this.objects = objects;
    this.bounds = bounds;
  }

  /**
   * Builds a vector from boxed values (the in-memory tail's form): rows beyond {@code values}'
   * length, and nulls, have no value.
   */
  public static ColumnVector of(Object[] values, int rows) {
    int n = values == null ? 0 : Math.min(rows, values.length);
    long[] present = new long[(rows + 63) >>> 6];
    int nonNull = 0;
    Class<?> only = null;
    boolean mixed = false;
    for (int i = 0; i < n; i++) {
      Object v = values[i];
      if (v != null) {
        present[i >>> 6] |= 1L << i;
        nonNull++;
        Class<?> c = v instanceof List ? List.class : v.getClass();
        if (only == null) {
          only = c;
        } else if (only != c) {
          mixed = true;
        }
      }
    }
    if (nonNull == 0) {
      return new ColumnVector(Kind.NULLS, rows, 0, present, null, null, null, null, null);
    }
    if (mixed || only == List.class) {
      return new ColumnVector(Kind.MIXED, rows, nonNull, present, null, null, null, null,
          Arrays.copyOf(values, rows));
    }
    if (only == Long.class || only == Boolean.class || only == Instant.class) {
      long[] longs = new long[rows];
      for (int i = 0; i < n; i++) {
        Object v = values[i];
        if (v instanceof Long l) {
          longs[i] = l;
        } else if (v instanceof Boolean b) {
          longs[i] = b ? 1 : 0;
        } else if (v instanceof Instant t) {
          longs[i] = t.toEpochMilli();
        }
      }
      Kind k = only == Long.class ? Kind.LONG : only == Boolean.class ? Kind.BOOLEAN : Kind.TIMESTAMP;
      return new ColumnVector(k, rows, nonNull, present, longs, null, null, null, null);
    }
    if (only == Double.class) {
      double[] doubles = new double[rows];
      for (int i = 0; i < n; i++) {
        if (values[i] instanceof Double d) {
          doubles[i] = d;
        }
      }
      return new ColumnVector(Kind.DOUBLE, rows, nonNull, present, null, doubles, null, null, null);
    }
    String[] strings = new String[rows];
    for (int i = 0; i < n; i++) {
      strings[i] = (String) values[i];
    }
    return new ColumnVector(Kind.STRING, rows, nonNull, present, null, null, null, null, strings);
  }

  /**
   * {@link #of}, with low-cardinality strings as a sorted dictionary and codes, as a sealed
   * segment holds them: the in-memory tail's form for queries, so that filters test each distinct
   * string once and GROUP BY folds codes.
   */
  public static ColumnVector ofTail(Object[] values, int rows) {
    ColumnVector v = of(values, rows);
    if (v.kind != Kind.STRING) {
      return v;
    }
    // One hash lookup per row: codes in order of first appearance, then renumbered so that the
    // dictionary is sorted. Stops as soon as the strings are mostly distinct (the rule of
    // sortedDictionary).
    java.util.HashMap<String, Integer> firstSeen = new java.util.HashMap<>();
    int[] codes = new int[rows];
    Object[] strings = v.objects;
    for (int i = 0; i < rows; i++) {
      String s = (String) strings[i];
      if (s != null) {
        Integer code = firstSeen.get(s);
        if (code == null) {
          code = firstSeen.size();
          firstSeen.put(s, code);
          if (code >= DICTIONARY_MAX || (i >= 1024 && firstSeen.size() * 2 > v.nonNull)) {
            return v;
          }
        }
        codes[i] = code;
      }
    }
    if (firstSeen.size() * 2 > v.nonNull) {
      return v;
    }
    String[] dict = firstSeen.keySet().toArray(new String[0]);
    Arrays.sort(dict);
    int[] renumber = new int[dict.length];
    for (int i = 0; i < dict.length; i++) {
      renumber[firstSeen.get(dict[i])] = i;
    }
    for (int i = 0; i < rows; i++) {
      codes[i] = renumber[codes[i]];
    }
    return new ColumnVector(Kind.STRING_DICT, rows, v.nonNull, v.present, null, null, codes, dict,
        null);
  }

  /** Most distinct strings a dictionary holds. */
  static final int DICTIONARY_MAX = 1 << 14;

  /**
   * The sorted distinct strings of {@code strings[0..n)} ({@code count} of them not null) when
   * few enough to pay for a dictionary (at most half as many as the values), else null.
   */
  static String[] sortedDictionary(Object[] strings, int n, int count) {
    java.util.HashSet<String> distinct = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      if (strings[i] != null) {
        distinct.add((String) strings[i]);
        // Stop once the strings are clearly mostly distinct.
        if (distinct.size() > DICTIONARY_MAX || (i >= 1024 && distinct.size() * 2 > count)) {
          return null;
        }
      }
    }
    if (distinct.size() * 2 > count) {
      return null;
    }
    String[] dict = distinct.toArray(new String[0]);
    Arrays.sort(dict);
    return dict;
  }

  /** Integers by row; {@code presence} bit i set when row i has a value (null: every row). */
  public static ColumnVector ofLongs(long[] values, long[] presence) {
    return new ColumnVector(Kind.LONG, values.length, count(presence, values.length), presence,
        values, null, null, null, null);
  }

  /**
   * Like {@link #ofLongs(long[], long[])}, with bounds known to the caller: every value lies in
   * {@code [min, max]}, which {@link #minMax} then returns (they need not be attained) without a
   * pass over the rows.
   */
  public static ColumnVector ofLongs(long[] values, long[] presence, long min, long max) {
    return new ColumnVector(Kind.LONG, values.length, count(presence, values.length), presence,
        values, null, null, null, null, new Object[] {min, max});
  }

  /** Doubles by row; {@code presence} as in {@link #ofLongs}. */
  public static ColumnVector ofDoubles(double[] values, long[] presence) {
    return new ColumnVector(Kind.DOUBLE, values.length, count(presence, values.length), presence,
        null, values, null, null, null);
  }

  /**
   * Dictionary codes by row ({@code codes[i]} indexes {@code dictionary}); {@code presence} as in
   * {@link #ofLongs}.
   */
  public static ColumnVector ofCodes(int[] codes, String[] dictionary, long[] presence) {
    return new ColumnVector(Kind.STRING_DICT, codes.length, count(presence, codes.length),
        presence, null, null, codes, dictionary, null);
  }

  /** A rough estimate of the heap this vector holds, for caches that bound their size. */
  public long estimatedBytes() {
    long b = 64 + (present == null ? 0 : 8L * present.length);
    if (longs != null) {
      b += 16 + 8L * longs.length;
    }
    if (doubles != null) {
      b += 16 + 8L * doubles.length;
    }
    if (codes != null) {
      b += 16 + 4L * codes.length;
    }
    if (dict != null) {
      b += stringBytes(dict);
    }
    if (objects != null) {
      b += 16 + 4L * objects.length;
      for (Object o : objects) {
        b += o == null ? 0 : o instanceof String s ? 48 + s.length() : 64;
      }
    }
    return b;
  }

  private static long stringBytes(String[] strings) {
    long b = 16 + 4L * strings.length;
    for (String s : strings) {
      b += s == null ? 0 : 48 + s.length();
    }
    return b;
  }

  private static int count(long[] presence, int rows) {
    if (presence == null) {
      return rows;
    }
    int n = 0;
    for (long w : presence) {
      n += Long.bitCount(w);
    }
    return n;
  }

  public Kind kind() {
    return kind;
  }

  public int rows() {
    return rows;
  }

  /** Rows holding a value. */
  public int nonNullCount() {
    return nonNull;
  }

  public boolean isPresent(int row) {
    if (row >= rows) {
      return false;
    }
    return present == null || (present[row >>> 6] & (1L << row)) != 0;
  }

  /** The presence bitset (bit i = row i has a value); null when every row has one. */
  public long[] presence() {
    return present;
  }

  /** Integers, epoch millis or 0/1, by row (0 where absent). */
  public long[] longs() {
    return longs;
  }

  public double[] doubles() {
    return doubles;
  }

  /** Dictionary codes by row (0 where absent; check presence). */
  public int[] codes() {
    return codes;
  }

  public String[] dictionary() {
    return dict;
  }

  /** The value of a row as the storage layer's objects (Long, Double, String, ...), or null. */
  public Object get(int row) {
    if (!isPresent(row)) {
      return null;
    }
    return switch (kind) {
      case NULLS -> null;
      case BOOLEAN -> longs[row] != 0;
      case LONG -> longs[row];
      case DOUBLE -> doubles[row];
      case TIMESTAMP -> Instant.ofEpochMilli(longs[row]);
      case STRING_DICT -> dict[codes[row]];
      case STRING, MIXED -> objects[row];
    };
  }

  /** Every row's value boxed (null where absent). */
  public Object[] toObjects() {
    Object[] out = new Object[rows];
    for (int i = 0; i < rows; i++) {
      out[i] = get(i);
    }
    return out;
  }

  /**
   * The smallest and largest value (numbers numerically with -0.0 as 0.0 and NaN largest,
   * strings by {@link String#compareTo}), or null when the vector is empty or mixed; for a vector
   * built with known bounds, those bounds.
   */
  public Object[] minMax() {
    if (nonNull == 0 || kind == Kind.MIXED) {
      return null;
    }
    if (bounds != null) {
      return bounds.clone();
    }
    Object[] known = computedMinMax;
    if (known == null) {
      known = computeMinMax();
      computedMinMax = known;
    }
    return known == null ? null : known.clone();
  }

  private Object[] computeMinMax() {
    switch (kind) {
      case LONG, BOOLEAN, TIMESTAMP -> {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < rows; i++) {
          if (isPresent(i)) {
            min = Math.min(min, longs[i]);
            max = Math.max(max, longs[i]);
          }
        }
        return new Object[] {box(min), box(max)};
      }
      case DOUBLE -> {
        double min = Double.NaN;
        double max = Double.NaN;
        boolean first = true;
        for (int i = 0; i < rows; i++) {
          if (isPresent(i)) {
            double d = doubles[i] == 0.0d ? 0.0d : doubles[i];
            if (first) {
              min = d;
              max = d;
              first = false;
            } else {
              if (Double.compare(d, min) < 0) {
                min = d;
              }
              if (Double.compare(d, max) > 0) {
                max = d;
              }
            }
          }
        }
        return new Object[] {min, max};
      }
      case STRING_DICT -> {
        int min = Integer.MAX_VALUE;
        int max = -1;
        for (int i = 0; i < rows; i++) {
          if (isPresent(i)) {
            min = Math.min(min, codes[i]);
            max = Math.max(max, codes[i]);
          }
        }
        return new Object[] {dict[min], dict[max]};
      }
      case STRING -> {
        String min = null;
        String max = null;
        for (int i = 0; i < rows; i++) {
          String s = (String) objects[i];
          if (s != null) {
            min = min == null || s.compareTo(min) < 0 ? s : min;
            max = max == null || s.compareTo(max) > 0 ? s : max;
          }
        }
        return new Object[] {min, max};
      }
      default -> {
        return null;
      }
    }
  }

  private Object box(long v) {
    return switch (kind) {
      case BOOLEAN -> v != 0;
      case TIMESTAMP -> Instant.ofEpochMilli(v);
      default -> v;
    };
  }

  // Package-private accessors for the codec.
  Object[] objects() {
    return objects;
  }
}
