package io.converge.storage.encoding;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compact binary form of a whole document (the row store value) and of array values in column
 * segments. Type-tagged, varint lengths, zig-zag integers; not order-preserving.
 */
public final class DocumentCodec {
  static final byte T_NULL = 0;
  static final byte T_FALSE = 1;
  static final byte T_TRUE = 2;
  static final byte T_LONG = 3;
  static final byte T_DOUBLE = 4;
  static final byte T_STRING = 5;
  static final byte T_ARRAY = 6;
  static final byte T_OBJECT = 7;
  static final byte T_TIMESTAMP = 8;

  private DocumentCodec() {}

  public static byte[] encode(Object value) {
    ByteSink out = new ByteSink(256);
    write(value, out);
    return out.toByteArray();
  }

  /**
   * Encodes a document as an object whose first two entries are {@code _id} and
   * {@code _event_time} (epoch millis), followed by the other entries of {@code doc}.
   */
  public static byte[] encodeDocument(String id, long eventTime, Map<String, Object> doc) {
    ByteSink out = SCRATCH.get();
    out.reset();
    int others = doc.size() - (doc.containsKey("_id") ? 1 : 0)
        - (doc.containsKey("_event_time") ? 1 : 0);
    out.write(T_OBJECT);
    VarInts.writeUnsigned(out, others + 2);
    out.writeString("_id");
    write(id, out);
    out.writeString("_event_time");
    write(eventTime, out);
    for (Map.Entry<String, Object> e : doc.entrySet()) {
      if (!e.getKey().equals("_id") && !e.getKey().equals("_event_time")) {
        out.writeString(e.getKey());
        write(e.getValue(), out);
      }
    }
    byte[] bytes = out.toByteArray();
    if (out.length() > SCRATCH_KEEP_BYTES) {
      SCRATCH.remove(); // do not keep a huge document's buffer per thread
    }
    return bytes;
  }

  /** Each thread's encoding buffer, reused from document to document (one copy out per row). */
  private static final ThreadLocal<ByteSink> SCRATCH =
      ThreadLocal.withInitial(() -> new ByteSink(4096));
  private static final int SCRATCH_KEEP_BYTES = 1 << 16;

  @SuppressWarnings("unchecked")
  public static void write(Object v, ByteSink out) {
    if (v == null) {
      out.write(T_NULL);
    } else if (v instanceof Boolean b) {
      out.write(b ? T_TRUE : T_FALSE);
    } else if (v instanceof Long l) {
      out.write(T_LONG);
      VarInts.writeSigned(out, l);
    } else if (v instanceof Double d) {
      out.write(T_DOUBLE).writeLong(Double.doubleToRawLongBits(d));
    } else if (v instanceof String s) {
      out.write(T_STRING).writeString(s);
    } else if (v instanceof Instant t) {
      out.write(T_TIMESTAMP);
      VarInts.writeSigned(out, t.toEpochMilli());
    } else if (v instanceof List<?> list) {
      out.write(T_ARRAY);
      VarInts.writeUnsigned(out, list.size());
      for (Object o : list) {
        write(o, out);
      }
    } else if (v instanceof Map<?, ?> map) {
      out.write(T_OBJECT);
      VarInts.writeUnsigned(out, map.size());
      for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
        out.writeString(e.getKey());
        write(e.getValue(), out);
      }
    } else {
      throw new IllegalArgumentException("cannot encode " + v.getClass().getName());
    }
  }

  public static Object decode(byte[] bytes) {
    return read(ByteBuffer.wrap(bytes));
  }

  public static Object read(ByteBuffer in) {
    byte tag = in.get();
    switch (tag) {
      case T_NULL:
        return null;
      case T_FALSE:
        return Boolean.FALSE;
      case T_TRUE:
        return Boolean.TRUE;
      case T_LONG:
        return VarInts.readSigned(in);
      case T_DOUBLE:
        return Double.longBitsToDouble(in.getLong());
      case T_STRING:
        return readString(in);
      case T_TIMESTAMP:
        return Instant.ofEpochMilli(VarInts.readSigned(in));
      case T_ARRAY: {
        int n = VarInts.readInt(in);
        List<Object> list = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
          list.add(read(in));
        }
        return list;
      }
      case T_OBJECT: {
        int n = VarInts.readInt(in);
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          String k = readString(in);
          map.put(k, read(in));
        }
        return map;
      }
      default:
        throw new IllegalArgumentException("corrupt document: unknown tag " + tag);
    }
  }

  /** Moves {@code in} past one encoded value without decoding it. */
  public static void skip(ByteBuffer in) {
    byte tag = in.get();
    switch (tag) {
      case T_NULL, T_FALSE, T_TRUE -> { }
      case T_LONG, T_TIMESTAMP -> VarInts.readUnsigned(in);
      case T_DOUBLE -> in.position(in.position() + Long.BYTES);
      case T_STRING -> skipString(in);
      case T_ARRAY -> {
        int n = VarInts.readInt(in);
        for (int i = 0; i < n; i++) {
          skip(in);
        }
      }
      case T_OBJECT -> {
        int n = VarInts.readInt(in);
        for (int i = 0; i < n; i++) {
          skipString(in);
          skip(in);
        }
      }
      default -> throw new IllegalArgumentException("corrupt document: unknown tag " + tag);
    }
  }

  static void skipString(ByteBuffer in) {
    int n = VarInts.readInt(in);
    in.position(in.position() + n);
  }

  static String readString(ByteBuffer in) {
    int n = VarInts.readInt(in);
    String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }
}
