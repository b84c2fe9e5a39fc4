package io.converge.storage.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CodecRoundTripTest {
  @Test
  void documentCodecRoundTripsNestedDocuments() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("_id", "x");
    doc.put("n", -42L);
    doc.put("d", 3.25);
    doc.put("s", "héllo\0");
    doc.put("b", true);
    doc.put("nil", null);
    doc.put("t", Instant.ofEpochMilli(1764000000000L));
    doc.put("arr", List.of(1L, "two", List.of(3L), Map.of("k", "v")));
    doc.put("obj", new LinkedHashMap<>(Map.of("inner", new LinkedHashMap<>(Map.of("x", 1L)))));
    assertEquals(doc, DocumentCodec.decode(DocumentCodec.encode(doc)));
  }

  @Test
  void columnSegmentRoundTripsEveryValueKind() {
    SplittableRandom r = new SplittableRandom(7);
    Object[] values = new Object[5000];
    for (int i = 0; i < values.length; i++) {
      values[i] = switch (r.nextInt(8)) {
        case 0 -> null;
        case 1 -> r.nextBoolean();
        case 2 -> r.nextLong();
        case 3 -> r.nextDouble();
        case 4 -> "status-" + r.nextInt(5);
        case 5 -> Instant.ofEpochMilli(r.nextLong(0, 2_000_000_000_000L));
        case 6 -> List.of("a", 1L, 2.5d);
        default -> "unique-" + i;
      };
    }
    assertArrayEquals(values, ColumnSegmentCodec.decode(ColumnSegmentCodec.encode(values, values.length)));
  }

  @Test
  void lowCardinalityStringsUseADictionary() {
    Object[] values = new Object[10000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 3 == 0 ? "delivered" : "shipped";
    }
    byte[] enc = ColumnSegmentCodec.encode(values, values.length);
    // one tag byte + a one-byte code per row, plus a tiny dictionary
    assertEquals(true, enc.length < values.length * 2 + 64, "encoded size " + enc.length);
    assertArrayEquals(values, ColumnSegmentCodec.decode(enc));
  }

  @Test
  void segmentOfAPrefixOnlyEncodesThatPrefix() {
    Object[] values = {1L, 2L, 3L, null, null};
    assertArrayEquals(Arrays.copyOf(values, 3), ColumnSegmentCodec.decode(ColumnSegmentCodec.encode(values, 3)));
  }

  @Test
  void keysOfOneCollectionSortByRid() {
    List<byte[]> keys = new ArrayList<>();
    for (long rid : new long[] {0, 1, 255, 256, 65535, 65536, 1L << 40}) {
      keys.add(Keys.row(3, rid));
    }
    for (int i = 1; i < keys.size(); i++) {
      assertEquals(-1, Integer.signum(Arrays.compareUnsigned(keys.get(i - 1), keys.get(i))));
    }
    assertEquals(65536L, Keys.ridOfRowKey(Keys.row(3, 65536)));
  }
}
