package io.converge.storage.index;

import io.converge.storage.encoding.ByteSink;
import io.converge.storage.encoding.VarInts;
import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.schema.FieldInfo;
import io.converge.storage.schema.FieldType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog entry of one collection, mutated by its single writer and persisted in every write
 * batch: the rid counter, the live document count and per-field type counts.
 */
public final class CollectionState {
  /** Field ids 0 and 1 are the system columns. */
  public static final int ID_FIELD = 0;
  public static final int EVENT_TIME_FIELD = 1;
  private static final int FORMAT = 1;
  private static final int TYPES = FieldType.values().length;

  public final int id;
  public final String name;
  public long nextRid;
  public long liveCount;
  public long schemaVersion;
  private int nextFieldId = 2;
  private final Map<String, MutableField> fields = new LinkedHashMap<>();
  /** Indexed by field id (null for ids 0, 1 and any gap): the writer looks fields up per leaf. */
  private MutableField[] fieldsById = new MutableField[16];

  public static final class MutableField {
    final String path;
    final int id;
    final long[] counts = new long[TYPES];
    final long[] elementCounts = new long[TYPES];

    MutableField(String path, int id) {
      this.path = path;
      this.id = id;
    }

    FieldInfo freeze() {
      return new FieldInfo(path, id, counts, elementCounts);
    }
  }

  public CollectionState(int id, String name) {
    this.id = id;
    this.name = name;
  }

  /** The field's id, creating the field when new. */
  public int fieldId(String path) {
    MutableField f = fields.get(path);
    if (f == null) {
      f = new MutableField(path, nextFieldId++);
      fields.put(path, f);
      putById(f);
      schemaVersion++;
    }
    return f.id;
  }

  private void putById(MutableField f) {
    if (f.id >= fieldsById.length) {
      fieldsById = java.util.Arrays.copyOf(fieldsById, Math.max(f.id + 1, fieldsById.length * 2));
    }
    fieldsById[f.id] = f;
  }

  /** The id of an existing field, or -1. */
  public int existingFieldId(String path) {
    MutableField f = fields.get(path);
    return f == null ? -1 : f.id;
  }

  /** Adds {@code delta} (+1 or -1) to the type count of a leaf value at a field. */
  public void count(int fieldId, Object value, int delta) {
    MutableField f = fieldsById[fieldId];
    int t = FieldType.ofValue(value).ordinal();
    bump(f.counts, t, delta);
    if (value instanceof List<?> list) {
      for (Object el : list) {
        bump(f.elementCounts, FieldType.ofValue(el).ordinal(), delta);
      }
    }
  }

  public void countObject(String path, int delta) {
    MutableField f = fields.get(path);
    bump(f.counts, FieldType.OBJECT.ordinal(), delta);
  }

  private void bump(long[] counts, int t, int delta) {
    long before = counts[t];
    counts[t] = Math.max(0, before + delta);
    if ((before == 0) != (counts[t] == 0)) {
      schemaVersion++; // a type appeared or vanished: the SQL type may change
    }
  }

  public CollectionSchema freeze() {
    List<FieldInfo> list = new ArrayList<>(fields.size());
    Map<String, FieldInfo> byPath = new HashMap<>();
    for (MutableField f : fields.values()) {
      FieldInfo fi = f.freeze();
      list.add(fi);
      byPath.put(fi.path(), fi);
    }
    list.sort(Comparator.comparing(FieldInfo::path));
    return new CollectionSchema(name, schemaVersion, liveCount, Collections.unmodifiableList(list),
        Collections.unmodifiableMap(byPath));
  }

  public byte[] encode() {
    ByteSink out = new ByteSink(64 + fields.size() * 48);
    VarInts.writeUnsigned(out, FORMAT);
    out.writeString(name);
    VarInts.writeUnsigned(out, nextRid);
    VarInts.writeUnsigned(out, liveCount);
    VarInts.writeUnsigned(out, schemaVersion);
    VarInts.writeUnsigned(out, nextFieldId);
    VarInts.writeUnsigned(out, fields.size());
    for (MutableField f : fields.values()) {
      out.writeString(f.path);
      VarInts.writeUnsigned(out, f.id);
      for (int t = 0; t < TYPES; t++) {
        VarInts.writeUnsigned(out, f.counts[t]);
      }
      for (int t = 0; t < TYPES; t++) {
        VarInts.writeUnsigned(out, f.elementCounts[t]);
      }
    }
    return out.toByteArray();
  }

  public static CollectionState decode(int id, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int format = VarInts.readInt(in);
    if (format != FORMAT) {
      throw new IllegalStateException("unknown catalog format " + format);
    }
    int nameLen = VarInts.readInt(in);
    String name = new String(bytes, in.position(), nameLen, StandardCharsets.UTF_8);
    in.position(in.position() + nameLen);
    CollectionState s = new CollectionState(id, name);
    s.nextRid = VarInts.readUnsigned(in);
    s.liveCount = VarInts.readUnsigned(in);
    s.schemaVersion = VarInts.readUnsigned(in);
    s.nextFieldId = VarInts.readInt(in);
    int n = VarInts.readInt(in);
    for (int i = 0; i < n; i++) {
      int len = VarInts.readInt(in);
      String path = new String(bytes, in.position(), len, StandardCharsets.UTF_8);
      in.position(in.position() + len);
      MutableField f = new MutableField(path, VarInts.readInt(in));
      for (int t = 0; t < TYPES; t++) {
        f.counts[t] = VarInts.readUnsigned(in);
      }
      for (int t = 0; t < TYPES; t++) {
        f.elementCounts[t] = VarInts.readUnsigned(in);
      }
      s.fields.put(path, f);
      s.putById(f);
    }
    return s;
  }

}
