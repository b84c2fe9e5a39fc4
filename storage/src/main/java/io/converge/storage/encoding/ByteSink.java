package io.converge.storage.encoding;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array; cheaper than ByteArrayOutputStream (no synchronization). */
public final class ByteSink {
  private byte[] buf;
  private int len;

  public ByteSink() {
    this(64);
  }

  public ByteSink(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  public ByteSink write(byte b) {
    ensure(1);
    buf[len++] = b;
    return this;
  }

  public ByteSink write(byte[] b) {
    return write(b, 0, b.length);
  }

  public ByteSink write(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  public ByteSink writeInt(int v) {
    ensure(4);
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  public ByteSink writeLong(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[len++] = (byte) (v >>> shift);
    }
    return this;
  }

  /** Length-prefixed UTF-8. */
  public ByteSink writeString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    VarInts.writeUnsigned(this, b.length);
    return write(b);
  }

  public int length() {
    return len;
  }

  public void reset() {
    len = 0;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }
}
