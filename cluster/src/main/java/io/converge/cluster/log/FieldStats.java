package io.converge.cluster.log;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.schema.FieldInfo;
import io.converge.storage.schema.FieldType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One field path's type counts as a shard reports them ({@link FieldInfo} without the shard-local
 * id). The aggregator adds up the shards' counts per path, which gives the column types one node
 * holding all the documents would infer; leaves type a fragment's columns by the same sums.
 *
 * @param typeCounts documents per {@link FieldType} ordinal
 * @param elementTypeCounts array elements per {@link FieldType} ordinal
 */
public record FieldStats(String path, long[] typeCounts, long[] elementTypeCounts) {

  public static FieldStats of(FieldInfo f) {
    long[] t = new long[FieldType.values().length];
    long[] e = new long[FieldType.values().length];
    for (FieldType ft : FieldType.values()) {
      t[ft.ordinal()] = f.count(ft);
      e[ft.ordinal()] = f.elementCount(ft);
    }
    return new FieldStats(f.path(), t, e);
  }

  public static List<FieldStats> of(CollectionSchema schema) {
    List<FieldStats> out = new ArrayList<>(schema.fields().size());
    for (FieldInfo f : schema.fields()) {
      out.add(of(f));
    }
    return out;
  }

  /** Sums per path, sorted by path (as a collection's schema lists its fields). */
  public static List<FieldStats> merge(Iterable<List<FieldStats>> shards) {
    Map<String, long[][]> sums = new TreeMap<>();
    int n = FieldType.values().length;
    for (List<FieldStats> shard : shards) {
      for (FieldStats f : shard) {
        long[][] s = sums.computeIfAbsent(f.path(), p -> new long[][] {new long[n], new long[n]});
        for (int i = 0; i < n; i++) {
          s[0][i] += f.typeCounts()[i];
          s[1][i] += f.elementTypeCounts()[i];
        }
      }
    }
    List<FieldStats> out = new ArrayList<>(sums.size());
    sums.forEach((p, s) -> out.add(new FieldStats(p, s[0], s[1])));
    return out;
  }

  /**
   * A schema with these fields (ids are positions: nothing below the SQL layer reads them from a
   * schema built here). {@code version} must change whenever the fields or their type masks do.
   */
  public static CollectionSchema schema(String collection, long version, long documentCount,
      List<FieldStats> fields) {
    List<FieldInfo> infos = new ArrayList<>(fields.size());
    Map<String, FieldInfo> byPath = new HashMap<>();
    int id = 0;
    for (FieldStats f : fields) {
      FieldInfo info = new FieldInfo(f.path(), id++, f.typeCounts(), f.elementTypeCounts());
      infos.add(info);
      byPath.put(f.path(), info);
    }
    return new CollectionSchema(collection, version, documentCount, List.copyOf(infos),
        Map.copyOf(byPath));
  }

  /**
   * A schema version for these fields, derived from what decides column types: each path and
   * which types occur at it (not how often). Every aggregator derives the same version from the
   * same shape, so a leaf may cache what it planned under a version whichever aggregator, or a
   * restarted one, asks next. 64 bits of Murmur3; never 0 (no schema yet).
   */
  public static long shapeVersion(List<FieldStats> fields) {
    Hasher h = Hashing.murmur3_128().newHasher();
    for (FieldStats f : fields) {
      h.putString(f.path, StandardCharsets.UTF_8).putInt(f.path.length());
      for (int i = 0; i < f.typeCounts.length; i++) {
        h.putBoolean(f.typeCounts[i] > 0).putBoolean(f.elementTypeCounts[i] > 0);
      }
    }
    long v = h.hash().asLong();
    return v == 0 ? 1 : v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldStats f && f.path.equals(path)
        && Arrays.equals(f.typeCounts, typeCounts)
        && Arrays.equals(f.elementTypeCounts, elementTypeCounts);
  }

  @Override
  public int hashCode() {
    return path.hashCode() * 31 + Arrays.hashCode(typeCounts);
  }

  @Override
  public String toString() {
    return path + Arrays.toString(typeCounts);
  }
}
