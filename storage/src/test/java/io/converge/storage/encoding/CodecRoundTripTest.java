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
  void singleTypeSegmentsDecodeToPrimitiveVectorsWithPresence() {
    SplittableRandom r = new SplittableRandom(9);
    int n = 70_000;
    Object[][] cases = new Object[6][n];
    for (int i = 0; i < n; i++) {
      boolean missing = r.nextInt(7) == 0;
      cases[0][i] = missing ? null : r.nextLong(-1000, 1000);
      cases[1][i] = missing ? null : (i % 3 == 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
      cases[2][i] = missing ? null : r.nextInt(3) == 0 ? -0.0d : r.nextDouble() * 1e6;
      cases[3][i] = missing ? null : "s-" + r.nextInt(40);
      cases[4][i] = r.nextBoolean();
      cases[5][i] = missing ? null : Instant.ofEpochMilli(1_700_000_000_000L + i);
    }
    ColumnVector.Kind[] kinds = {ColumnVector.Kind.LONG, ColumnVector.Kind.LONG,
        ColumnVector.Kind.DOUBLE, ColumnVector.Kind.STRING_DICT, ColumnVector.Kind.BOOLEAN,
        ColumnVector.Kind.TIMESTAMP};
    for (int c = 0; c < cases.length; c++) {
      byte[] enc = ColumnSegmentCodec.encode(cases[c], n);
      ColumnVector v = ColumnSegmentCodec.decodeVector(enc);
      assertEquals(kinds[c], v.kind(), "case " + c);
      for (int i = 0; i < n; i++) {
        assertEquals(cases[c][i] != null, v.isPresent(i), "presence " + c + "/" + i);
      }
      assertArrayEquals(cases[c], v.toObjects(), "case " + c);
    }
    // 40 distinct strings: 6 bits rounded up to 8-bit codes (no code straddles a word), plus
    // the presence bitset; not a tag byte and a varint per row
    assertEquals(true, ColumnSegmentCodec.encode(cases[3], n).length < n + n / 8 + 1024);
    assertEquals(4, io.converge.storage.encoding.BitPacking.codeWidth(4));
    assertEquals(8, io.converge.storage.encoding.BitPacking.codeWidth(200));
  }

  @Test
  void everyBitWidthRoundTrips() {
    for (int width = 0; width <= 64; width++) {
      long max = width == 64 ? -1L : (1L << width) - 1;
      Object[] values = new Object[1000];
      for (int i = 0; i < values.length; i++) {
        values[i] = -7L + (i % 2 == 0 ? 0 : max);
      }
      assertArrayEquals(values, ColumnSegmentCodec.decode(ColumnSegmentCodec.encode(values, values.length)),
          "width " + width);
    }
  }

  @Test
  void dictionaryCodesFollowStringOrderAndStatsKeepMinMax() {
    Object[] values = {"pear", "apple", null, "zebra", "apple", "mango", "pear", "zebra", "apple",
        "mango"};
    ColumnVector v = ColumnSegmentCodec.decodeVector(ColumnSegmentCodec.encode(values, values.length));
    assertEquals(ColumnVector.Kind.STRING_DICT, v.kind());
    assertArrayEquals(new String[] {"apple", "mango", "pear", "zebra"}, v.dictionary());
    SegmentStats stats = SegmentStats.decode(SegmentStats.of(v).encode());
    assertEquals(new SegmentStats(ColumnVector.Kind.STRING_DICT, 10, 9, "apple", "zebra"), stats);
    Object[] nums = {3L, null, -2L, 10L};
    SegmentStats numStats = SegmentStats.of(ColumnVector.of(nums, nums.length));
    assertEquals(-2L, numStats.min());
    assertEquals(10L, numStats.max());
    Object[] doubles = {Double.NaN, -0.0d, 1.5d};
    Object[] mm = ColumnVector.of(doubles, 3).minMax();
    assertEquals(0.0d, mm[0]);
    assertEquals(Double.NaN, mm[1]);
    assertEquals(null, SegmentStats.of(ColumnVector.of(new Object[] {1L, "x"}, 2)), "mixed");
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
