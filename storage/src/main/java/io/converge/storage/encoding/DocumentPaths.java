package io.converge.storage.encoding;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reads a few leaf paths out of a row-store document ({@link DocumentCodec#encodeDocument}'s
 * form) in one pass, decoding only the values on those paths and skipping the rest without
 * allocating: a needle query reads three fields of thousands of documents that hold dozens.
 *
 * <p>The answer for each path is the one {@code DocumentFlattener.leafAt} gives on the decoded
 * document: keys match a path's next dotted step by prefix (so a key {@code "a.b"} and an object
 * {@code a} with a key {@code b} both reach {@code a.b}, the later one winning), an object at the
 * end of a path is null, and leaves go through {@code normalize} (arrays and timestamp strings).
 * {@code _id} and {@code _event_time} are read from the document's first two entries, the latter
 * as an {@link Instant}.
 */
public final class DocumentPaths {
  private static final byte[] ID = "_id".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVENT_TIME = "_event_time".getBytes(StandardCharsets.UTF_8);

  private final byte[][] paths;
  private final int idSlot;
  private final int eventTimeSlot;
  /** Indexes of the paths that are neither {@code _id} nor {@code _event_time}. */
  private final int[] userPaths;
  private final int[] zeros;
  private final UnaryOperator<Object> normalize;

  public DocumentPaths(List<String> paths, UnaryOperator<Object> normalize) {
    this.paths = new byte[paths.size()][];
    this.normalize = normalize;
    int id = -1;
    int time = -1;
    int[] user = new int[paths.size()];
    int users = 0;
    for (int i = 0; i < paths.size(); i++) {
      String p = paths.get(i);
      this.paths[i] = p.getBytes(StandardCharsets.UTF_8);
      if (p.equals("_id")) {
        id = i;
      } else if (p.equals("_event_time")) {
        time = i;
      } else {
        user[users++] = i;
      }
    }
    this.idSlot = id;
    this.eventTimeSlot = time;
    this.userPaths = Arrays.copyOf(user, users);
    this.zeros = new int[users];
  }

  /** Fills {@code out[i]} with the value of the i-th path in {@code row} (null when missing). */
  public void read(byte[] row, Object[] out) {
    Arrays.fill(out, 0, paths.length, null);
    ByteBuffer in = ByteBuffer.wrap(row);
    if (in.get() != DocumentCodec.T_OBJECT) {
      throw new IllegalArgumentException("corrupt document: not an object");
    }
    int entries = VarInts.readInt(in);
    walk(in, entries, userPaths, zeros, userPaths.length, true, out);
  }

  /**
   * Reads {@code entries} key/value pairs of an object, for the {@code count} paths in
   * {@code active} whose next step starts at byte {@code from[k]} of the path.
   */
  private void walk(ByteBuffer in, int entries, int[] active, int[] from, int count, boolean top,
      Object[] out) {
    byte[] bytes = in.array();
    for (int e = 0; e < entries; e++) {
      int keyLength = VarInts.readInt(in);
      int key = in.position();
      in.position(key + keyLength);
      if (top) {
        boolean id = same(bytes, key, keyLength, ID);
        if (id || same(bytes, key, keyLength, EVENT_TIME)) {
          int slot = id ? idSlot : eventTimeSlot;
          if (slot < 0) {
            DocumentCodec.skip(in);
          } else {
            Object v = DocumentCodec.read(in);
            out[slot] = id ? v : eventTime(v);
          }
          continue;
        }
      }
      int[] nested = null;
      int[] nestedFrom = null;
      int nestedCount = 0;
      boolean leafMatch = false;
      for (int k = 0; k < count; k++) {
        byte[] path = paths[active[k]];
        int start = from[k];
        if (!startsWith(path, start, bytes, key, keyLength)) {
          continue;
        }
        int end = start + keyLength;
        if (end == path.length) {
          leafMatch = true;
        } else if (path[end] == '.') {
          if (nested == null) {
            nested = new int[count];
            nestedFrom = new int[count];
          }
          nested[nestedCount] = active[k];
          nestedFrom[nestedCount++] = end + 1;
        }
      }
      byte tag = bytes[in.position()];
      if (tag == DocumentCodec.T_OBJECT && (leafMatch || nested != null)) {
        if (leafMatch) {
          setLeaves(active, from, count, bytes, key, keyLength, null, out);
        }
        if (nested == null) {
          DocumentCodec.skip(in);
          continue;
        }
        in.get();
        int inner = VarInts.readInt(in);
        // A nested object's answer replaces an earlier one only when it found something.
        Object[] before = new Object[nestedCount];
        for (int k = 0; k < nestedCount; k++) {
          before[k] = out[nested[k]];
          out[nested[k]] = null;
        }
        walk(in, inner, nested, nestedFrom, nestedCount, false, out);
        for (int k = 0; k < nestedCount; k++) {
          if (out[nested[k]] == null) {
            out[nested[k]] = before[k];
          }
        }
      } else if (leafMatch) {
        Object v = normalize.apply(DocumentCodec.read(in));
        setLeaves(active, from, count, bytes, key, keyLength, v, out);
      } else {
        DocumentCodec.skip(in);
      }
    }
  }

  private void setLeaves(int[] active, int[] from, int count, byte[] bytes, int key,
      int keyLength, Object value, Object[] out) {
    for (int k = 0; k < count; k++) {
      byte[] path = paths[active[k]];
      if (from[k] + keyLength == path.length
          && startsWith(path, from[k], bytes, key, keyLength)) {
        out[active[k]] = value;
      }
    }
  }

  /** {@code _event_time}'s stored epoch millis as an instant (null when absent). */
  public static Object eventTime(Object stored) {
    return stored instanceof Long l ? Instant.ofEpochMilli(l) : null;
  }

  private static boolean startsWith(byte[] path, int from, byte[] bytes, int key, int length) {
    if (from + length > path.length) {
      return false;
    }
    return Arrays.equals(path, from, from + length, bytes, key, key + length);
  }

  private static boolean same(byte[] bytes, int key, int length, byte[] name) {
    return length == name.length && Arrays.equals(bytes, key, key + length, name, 0, length);
  }
}
