package io.converge.cluster.fragment;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.type.CollectionType;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.converge.cluster.log.ClusterJson;
import io.converge.cluster.log.FieldStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * The bytes of a {@link FragmentRequest} as a Flight ticket: a header (the request without its
 * field statistics, JSON) and the field statistics (JSON) apart.
 *
 * <p>The field statistics are most of a ticket (two counts per type for every field) and are the
 * same from query to query until the collection's shape changes. Kept apart, the aggregator
 * encodes them once per merged schema and a leaf decodes them once per distinct content, so a
 * query's fixed cost does not grow with the collection's width. Layout: {@value #FRAMED}, the
 * header's length (4 bytes, big-endian), the header, the field statistics. A ticket that starts
 * with '{' is one JSON object with the fields inside, as older aggregators send it.
 */
final class FragmentTicket {
  /** First byte of a framed ticket; never the first byte of JSON text. */
  static final byte FRAMED = 1;

  @JsonIgnoreProperties("fields")
  private interface WithoutFields {}

  private static final ObjectWriter HEADER = ClusterJson.MAPPER.copy()
      .addMixIn(FragmentRequest.class, WithoutFields.class).writer();
  private static final CollectionType FIELD_LIST = ClusterJson.MAPPER.getTypeFactory()
      .constructCollectionType(List.class, FieldStats.class);

  /** Encoded field statistics by the list they encode (identity: weak keys compare with ==). */
  private static final Cache<List<FieldStats>, byte[]> ENCODED = CacheBuilder.newBuilder()
      .weakKeys().maximumSize(256).build();
  /** Decoded field statistics by their bytes. */
  private static final Cache<Content, List<FieldStats>> DECODED = CacheBuilder.newBuilder()
      .maximumSize(64).build();

  private FragmentTicket() {}

  static byte[] encode(FragmentRequest request) {
    byte[] header;
    byte[] fields;
    try {
      header = HEADER.writeValueAsBytes(request);
      List<FieldStats> f = request.fields() == null ? List.of() : request.fields();
      fields = ENCODED.get(f, () -> ClusterJson.encode(f));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("encoding field statistics: " + e.getCause(), e);
    }
    return ByteBuffer.allocate(1 + Integer.BYTES + header.length + fields.length)
        .put(FRAMED).putInt(header.length).put(header).put(fields).array();
  }

  /** @throws IllegalArgumentException when the bytes are not a ticket */
  static FragmentRequest decode(byte[] bytes) {
    if (bytes.length == 0 || bytes[0] != FRAMED) {
      return ClusterJson.decode(bytes, FragmentRequest.class);
    }
    if (bytes.length < 1 + Integer.BYTES) {
      throw new IllegalArgumentException("not a valid FragmentRequest: " + bytes.length
          + " bytes");
    }
    int headerLength = ByteBuffer.wrap(bytes, 1, Integer.BYTES).getInt();
    int fieldsStart = 1 + Integer.BYTES + headerLength;
    if (headerLength < 0 || fieldsStart > bytes.length) {
      throw new IllegalArgumentException("not a valid FragmentRequest: a header of "
          + headerLength + " bytes in " + bytes.length);
    }
    FragmentRequest header = ClusterJson.decode(
        Arrays.copyOfRange(bytes, 1 + Integer.BYTES, fieldsStart), FragmentRequest.class);
    Content fields = new Content(Arrays.copyOfRange(bytes, fieldsStart, bytes.length));
    List<FieldStats> decoded = DECODED.getIfPresent(fields);
    if (decoded == null) {
      try {
        decoded = List.copyOf(ClusterJson.MAPPER.<List<FieldStats>>readValue(fields.bytes,
            FIELD_LIST));
      } catch (IOException e) {
        throw new IllegalArgumentException("not a valid FragmentRequest: field statistics: "
            + e.getMessage(), e);
      }
      DECODED.put(fields, decoded);
    }
    return header.withFields(decoded);
  }

  /** Bytes compared by content. */
  private record Content(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Content c && Arrays.equals(c.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return bytes.length + " bytes";
    }
  }
}
