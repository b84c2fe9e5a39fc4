package io.converge.storage.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.encoding.ColumnVector;
import org.junit.jupiter.api.Test;

/** {@link ColumnVectorCache} stays within its capacity, least recently used out first. */
class ColumnVectorCacheTest {
  private static ColumnVector longs(int rows) {
    return ColumnVector.ofLongs(new long[rows], null);
  }

  @Test
  void evictsLeastRecentlyUsedToStayWithinCapacity() {
    long one = longs(1000).estimatedBytes();
    ColumnVectorCache cache = new ColumnVectorCache(one * 10);
    for (int seg = 0; seg < 10; seg++) {
      cache.put(1, 1, seg, longs(1000));
    }
    assertNotNull(cache.get(1, 1, 0)); // now the most recently used
    cache.put(1, 1, 10, longs(1000));
    assertNull(cache.get(1, 1, 1), "the least recently used goes first");
    assertNotNull(cache.get(1, 1, 0));
    assertNotNull(cache.get(1, 1, 2));
    assertNotNull(cache.get(1, 1, 10));
    assertTrue(cache.usedBytes() <= cache.capacity());
  }

  @Test
  void keepsAbsenceDropsCollectionsAndSkipsHugeVectors() {
    ColumnVectorCache cache = new ColumnVectorCache(1 << 20);
    cache.put(7, 2, 0, ColumnVectorCache.ABSENT);
    assertSame(ColumnVectorCache.ABSENT, cache.get(7, 2, 0));
    cache.put(8, 2, 0, longs(10));
    cache.dropScope(7);
    assertNull(cache.get(7, 2, 0));
    assertNotNull(cache.get(8, 2, 0));
    cache.put(8, 3, 0, longs(100_000)); // over a quarter of the capacity: not kept
    assertNull(cache.get(8, 3, 0));
    assertEquals(longs(10).estimatedBytes(), cache.usedBytes());
    cache.put(ColumnVectorCache.scope(3, 1), 1, 0, longs(10));
    cache.put(ColumnVectorCache.scope(4, 1), 1, 0, longs(10));
    cache.dropStore(3);
    assertNull(cache.get(ColumnVectorCache.scope(3, 1), 1, 0));
    assertNotNull(cache.get(ColumnVectorCache.scope(4, 1), 1, 0));
    ColumnVectorCache off = new ColumnVectorCache(0);
    off.put(1, 1, 1, longs(1));
    assertNull(off.get(1, 1, 1));
  }

  @Test
  void aTailVectorServesOnlyItsRowCountAndIsReplacedByTheNext() {
    ColumnVectorCache cache = new ColumnVectorCache(1 << 20);
    ColumnVector at10 = longs(10);
    cache.putTail(5, 1, 3, 10, at10);
    assertSame(at10, cache.getTail(5, 1, 3, 10));
    assertNull(cache.getTail(5, 1, 3, 11), "the tail grew: convert again");
    assertNull(cache.get(5, 1, 3), "a sealed segment 3 is another entry");
    ColumnVector at11 = longs(11);
    cache.putTail(5, 1, 3, 11, at11);
    assertNull(cache.getTail(5, 1, 3, 10));
    assertSame(at11, cache.getTail(5, 1, 3, 11));
    assertEquals(at11.estimatedBytes(), cache.usedBytes(), "one vector per tail column");
    cache.dropScope(5);
    assertNull(cache.getTail(5, 1, 3, 11));
  }

  @Test
  void aSegmentIsDecodedOnceItsRowStoreReadsAddUpToTheDecodeCost() {
    ColumnVectorCache cache = new ColumnVectorCache(1 << 20);
    int cost = 2 * ColumnVectorCache.DECODE_COST_ROWS; // two uncached columns
    assertTrue(cache.decodeRather(1, 0, 10, 0), "every column cached: read the vectors");
    assertFalse(cache.decodeRather(1, 0, cost / 2, 2), "the first needle reads the row store");
    assertFalse(cache.decodeRather(1, 1, cost / 2, 2), "segments are counted apart");
    assertFalse(cache.decodeRather(2, 0, cost / 2, 2), "collections are counted apart");
    assertTrue(cache.decodeRather(1, 0, cost / 2, 2), "the reads paid for a decode: decode");
    assertFalse(cache.decodeRather(1, 0, 1, 2), "decoding started the count afresh");
    assertTrue(cache.decodeRather(1, 1, cost, 1), "fewer uncached columns cost less");
    cache.dropScope(2);
    assertFalse(cache.decodeRather(2, 0, cost / 2, 2), "a dropped collection's count is gone");
    ColumnVectorCache off = new ColumnVectorCache(0);
    assertFalse(off.decodeRather(1, 0, 1_000_000, 1), "no cache: never decode for a needle");
  }
}
