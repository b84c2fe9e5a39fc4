package io.converge.storage.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Round-trip and ordering properties of the sortable key encoding, over random values. */
class SortableEncodingTest {
  private static final int N = 5000;
  private final SplittableRandom random = new SplittableRandom(20261125L);

  @Test
  void longsRoundTripAndSortLikeNumbers() {
    List<Long> values = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, 1L));
    for (int i = 0; i < N; i++) {
      values.add(random.nextBoolean() ? random.nextLong() : random.nextLong(-1000, 1000));
    }
    checkRoundTripAndOrder(values, Comparator.naturalOrder());
  }

  @Test
  void doublesRoundTripAndSortLikeDoubleCompare() {
    List<Double> values = new ArrayList<>(List.of(Double.NEGATIVE_INFINITY,
        Double.POSITIVE_INFINITY, Double.NaN, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.MIN_VALUE, -Double.MIN_VALUE, 0.0, 1.0, -1.0));
    for (int i = 0; i < N; i++) {
      double d = switch (random.nextInt(3)) {
        case 0 -> Double.longBitsToDouble(random.nextLong());
        case 1 -> (random.nextDouble() - 0.5) * 1e6;
        default -> random.nextInt(-100, 100);
      };
      values.add(d);
    }
    checkRoundTripAndOrder(values, Double::compare);
  }

  @Test
  void negativeZeroEncodesAsZeroSoEqualityMatches() {
    assertTrue(Arrays.equals(SortableEncoding.encode(-0.0d), SortableEncoding.encode(0.0d)));
    assertEquals(0.0d, SortableEncoding.decode(SortableEncoding.encode(-0.0d)));
  }

  @Test
  void nanHasOneEncoding() {
    double otherNan = Double.longBitsToDouble(0x7ff8000000000123L);
    assertTrue(Arrays.equals(SortableEncoding.encode(Double.NaN), SortableEncoding.encode(otherNan)));
  }

  @Test
  void stringsRoundTripAndSortByCodePoint() {
    List<String> values = new ArrayList<>(List.of("", "a", "a\0", "a\0\0", "ab", "\0", "\uFFFF",
        "\uD83D\uDE00", "é", "Z", "zz", "日本語"));
    Supplier<String> gen = () -> {
      int len = random.nextInt(0, 12);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < len; i++) {
        int cp = switch (random.nextInt(5)) {
          case 0 -> 0;
          case 1 -> random.nextInt(1, 128);
          case 2 -> random.nextInt(128, 0xD800);
          case 3 -> random.nextInt(0xE000, 0x10000);
          default -> random.nextInt(0x10000, 0x110000);
        };
        sb.appendCodePoint(cp);
      }
      return sb.toString();
    };
    for (int i = 0; i < N; i++) {
      values.add(gen.get());
    }
    checkRoundTripAndOrder(values, SortableEncodingTest::compareCodePoints);
  }

  @Test
  void timestampsRoundTripAndSortByInstant() {
    List<Instant> values = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      values.add(Instant.ofEpochMilli(random.nextLong(-62135596800000L, 253402300799000L)));
    }
    values.add(Instant.ofEpochMilli(0));
    checkRoundTripAndOrder(values, Comparator.naturalOrder());
  }

  @Test
  void booleansAndNullRoundTrip() {
    checkRoundTripAndOrder(List.of(false, true), Comparator.naturalOrder());
    assertEquals(null, SortableEncoding.decode(SortableEncoding.encode(null)));
  }

  @Test
  void encodingIsSelfDelimitingInsideKeys() {
    // A value followed by more key bytes (the block number) decodes to the same value and end.
    for (Object v : List.of("abc", "", "a\0b", 42L, -3.5d, true)) {
      byte[] enc = SortableEncoding.encode(v);
      byte[] key = Arrays.copyOf(enc, enc.length + 4);
      key[enc.length + 3] = 7;
      int[] end = new int[1];
      assertEquals(v, SortableEncoding.decode(key, 0, end));
      assertEquals(enc.length, end[0]);
    }
  }

  @Test
  void typesDoNotInterleave() {
    byte[] bigInt = SortableEncoding.encode(Long.MAX_VALUE);
    byte[] smallDouble = SortableEncoding.encode(Double.NEGATIVE_INFINITY);
    byte[] emptyString = SortableEncoding.encode("");
    assertTrue(Arrays.compareUnsigned(bigInt, smallDouble) < 0);
    assertTrue(Arrays.compareUnsigned(smallDouble, emptyString) < 0);
    assertTrue(Arrays.compareUnsigned(SortableEncoding.encode(null), SortableEncoding.encode(false)) < 0);
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static <T> void checkRoundTripAndOrder(List<T> values, Comparator<? super T> order) {
    List<byte[]> encoded = new ArrayList<>();
    for (T v : values) {
      byte[] e = SortableEncoding.encode(v);
      Object back = SortableEncoding.decode(e);
      if (v instanceof Double d && d == 0.0d) {
        assertEquals(0.0d, back);
      } else {
        assertEquals(v, back, "round trip of " + v);
      }
      encoded.add(e);
    }
    for (int k = 0; k < values.size() * 4; k++) {
      int i = (k * 7919) % values.size();
      int j = (k * 104729 + 13) % values.size();
      T a = values.get(i);
      T b = values.get(j);
      int expected = Integer.signum(order.compare(a, b));
      if (a instanceof Double x && b instanceof Double y && x == 0.0d && y == 0.0d) {
        expected = 0; // -0.0 and 0.0 are one SQL value
      }
      int actual = Integer.signum(Arrays.compareUnsigned(encoded.get(i), encoded.get(j)));
      assertEquals(expected, actual, "order of " + a + " and " + b);
    }
  }
}
