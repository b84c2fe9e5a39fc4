package io.converge.storage.schema;

import java.util.EnumMap;
import java.util.Map;

/**
 * What the catalog knows of one field path: its id in keys, and how many live documents hold a
 * value of each {@link FieldType} there (and, for arrays, how many elements of each type).
 */
public final class FieldInfo {
  private final String path;
  private final int id;
  private final long[] typeCounts;
  private final long[] elementTypeCounts;

  public FieldInfo(String path, int id, long[] typeCounts, long[] elementTypeCounts) {
    this.path = path;
    this.id = id;
    this.typeCounts = typeCounts.clone();
    this.elementTypeCounts = elementTypeCounts.clone();
  }

  public String path() {
    return path;
  }

  public int id() {
    return id;
  }

  public long count(FieldType type) {
    return typeCounts[type.ordinal()];
  }

  public long elementCount(FieldType type) {
    return elementTypeCounts[type.ordinal()];
  }

  /** Documents holding any value here, JSON null included. */
  public long documentCount() {
    long n = 0;
    for (FieldType t : FieldType.values()) {
      if (t != FieldType.OBJECT) {
        n += typeCounts[t.ordinal()];
      }
    }
    return n;
  }

  /** True when some live document has a leaf (not only an object) at this path. */
  public boolean isLeaf() {
    for (FieldType t : FieldType.values()) {
      if (t != FieldType.OBJECT && typeCounts[t.ordinal()] > 0) {
        return true;
      }
    }
    return false;
  }

  public Map<FieldType, Long> typeCounts() {
    Map<FieldType, Long> m = new EnumMap<>(FieldType.class);
    for (FieldType t : FieldType.values()) {
      if (typeCounts[t.ordinal()] > 0) {
        m.put(t, typeCounts[t.ordinal()]);
      }
    }
    return m;
  }

  public Map<FieldType, Long> elementTypeCounts() {
    Map<FieldType, Long> m = new EnumMap<>(FieldType.class);
    for (FieldType t : FieldType.values()) {
      if (elementTypeCounts[t.ordinal()] > 0) {
        m.put(t, elementTypeCounts[t.ordinal()]);
      }
    }
    return m;
  }

  /** The set of types present, as a bit mask: what decides the SQL type. */
  public int typeMask() {
    int mask = 0;
    for (int i = 0; i < typeCounts.length; i++) {
      if (typeCounts[i] > 0) {
        mask |= 1 << i;
      }
    }
    return mask;
  }

  public int elementTypeMask() {
    int mask = 0;
    for (int i = 0; i < elementTypeCounts.length; i++) {
      if (elementTypeCounts[i] > 0) {
        mask |= 1 << i;
      }
    }
    return mask;
  }

  @Override
  public String toString() {
    return path + typeCounts();
  }
}
