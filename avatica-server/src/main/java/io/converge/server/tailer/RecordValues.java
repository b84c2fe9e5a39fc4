package io.converge.server.tailer;

import io.converge.storage.encoding.DocumentCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The two forms a document takes as a Kafka record's value. JSON text is what applications and
 * external topics hold. Converge's own writers (a cluster's aggregators) write the document in
 * {@link DocumentCodec}'s binary form instead and say so in a header ({@value #HEADER} =
 * {@code document}): a reader then decodes it in one pass instead of parsing JSON, and the writer
 * skips printing it. The decoded document is the parsed JSON object it stands for, with the same
 * keys in the same order and the same values, so everything after reading is the same.
 */
public final class RecordValues {
  /** The header that names a value's form; absent means JSON. */
  public static final String HEADER = "converge.format";
  private static final byte[] DOCUMENT = "document".getBytes(StandardCharsets.UTF_8);
  /** The headers of a record whose value is {@link #encode encoded}. */
  public static final List<Header> ENCODED_HEADERS =
      List.of(new RecordHeader(HEADER, DOCUMENT));

  private RecordValues() {}

  /** The value of a record holding {@code document}, to be sent with {@link #ENCODED_HEADERS}. */
  public static byte[] encode(Map<String, Object> document) {
    return DocumentCodec.encode(document);
  }

  /** Whether a record with these headers holds an {@link #encode encoded} value. */
  public static boolean encoded(Headers headers) {
    Header h = headers.lastHeader(HEADER);
    return h != null && Arrays.equals(h.value(), DOCUMENT);
  }

  /**
   * The document an encoded value holds.
   *
   * @throws IllegalArgumentException when the bytes are not one encoded object
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> decode(byte[] value) {
    ByteBuffer in = ByteBuffer.wrap(value);
    Object doc;
    try {
      doc = DocumentCodec.read(in);
    } catch (RuntimeException | StackOverflowError e) {
      throw new IllegalArgumentException("encoded document is corrupt (" + e + ")", e);
    }
    if (!(doc instanceof Map)) {
      throw new IllegalArgumentException("encoded value is not a document (an object)");
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("encoded document is followed by " + in.remaining()
          + " more bytes");
    }
    return (Map<String, Object>) doc;
  }
}
