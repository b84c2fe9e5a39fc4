package io.converge.storage.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.encoding.ColumnVector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class SegmentSealerTest {
  /** Collects posting keys and values in the order they are written. */
  private static final class Collected implements SegmentSealer.Sink {
    final List<byte[]> keys = new ArrayList<>();
    final List<byte[]> values = new ArrayList<>();

    @Override
    public void column(byte[] key, byte[] value) {}

    @Override
    public void inverted(byte[] key, byte[] value) {
      keys.add(key);
      values.add(value);
    }
  }

  private static void assertSamePostings(Object[] values, boolean[] live) {
    int len = values.length;
    ColumnVector vector = ColumnVector.of(values, len);
    Collected scalar = new Collected();
    assertTrue(SegmentSealer.postScalars(3, 7, 2, vector, len, live, scalar), vector.kind()
        + " takes the scalar path");
    Collected hashed = new Collected();
    SegmentSealer.postByHash(3, 7, 2, values, len, live, hashed);
    assertEquals(hashed.keys.size(), scalar.keys.size());
    for (int i = 0; i < hashed.keys.size(); i++) {
      assertArrayEquals(hashed.keys.get(i), scalar.keys.get(i), "key " + i);
      assertArrayEquals(hashed.values.get(i), scalar.values.get(i), "postings " + i);
    }
  }

  private static void check(long seed, IntFunction<Object> value) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 1 + r.nextInt(5000);
    Object[] values = new Object[n];
    boolean[] live = new boolean[n];
    for (int i = 0; i < n; i++) {
      values[i] = r.nextInt(10) == 0 ? null : value.apply(r.nextInt());
      live[i] = r.nextInt(8) != 0;
    }
    assertSamePostings(values, live);
  }

  @Test
  void scalarColumnsPostExactlyWhatHashingPosts() {
    for (long seed = 0; seed < 20; seed++) {
      check(seed, x -> (long) (x % 50));
      check(seed, x -> (long) x * 1_000_003L);
      check(seed, x -> x % 3 == 0);
      check(seed, x -> Instant.ofEpochMilli(1_700_000_000_000L + x % 1000));
      check(seed, x -> (x % 40) / 4.0 - 5);
      check(seed, x -> x % 7 == 0 ? -0.0d : x % 7 == 1 ? Double.NaN
          : x % 7 == 2 ? Double.NEGATIVE_INFINITY : x % 7 == 3 ? Double.MAX_VALUE : x * 1e-3);
    }
  }

  @Test
  void columnsWithoutLiveRowsPostNothing() {
    Object[] values = {1L, 2L, null};
    Collected c = new Collected();
    assertTrue(SegmentSealer.postScalars(1, 2, 0, ColumnVector.of(values, 3), 3,
        new boolean[3], c));
    assertEquals(0, c.keys.size());
  }
}
