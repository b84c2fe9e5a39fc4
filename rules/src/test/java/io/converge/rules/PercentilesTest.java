package io.converge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The accumulators behind PERCENTILE_CONT / PERCENTILE_DISC (end to end: tests/PercentileTest). */
class PercentilesTest {
  private static Percentiles.Values of(double fraction, Double... values) {
    Percentiles.Values acc = new Percentiles.Values();
    for (Double v : values) {
      acc.add(v, fraction);
    }
    return acc;
  }

  @Test
  void continuousInterpolatesBetweenNeighbours() {
    assertEquals(2.5, of(0.5, 4.0, 1.0, 3.0, 2.0).continuous(false));
    assertEquals(1.0, of(0.0, 4.0, 1.0, 3.0, 2.0).continuous(false));
    assertEquals(4.0, of(1.0, 4.0, 1.0, 3.0, 2.0).continuous(false));
    assertEquals(3.25, of(0.25, 4.0, 1.0, 3.0, 2.0).continuous(true));
    assertEquals(7.0, of(0.9, 7.0).continuous(false));
  }

  @Test
  void discreteTakesTheFirstValueReachingTheFraction() {
    assertEquals(2.0, of(0.5, 4.0, 1.0, 3.0, 2.0).discrete(false));
    assertEquals(3.0, of(0.51, 4.0, 1.0, 3.0, 2.0).discrete(false));
    assertEquals(1.0, of(0.0, 4.0, 1.0, 3.0, 2.0).discrete(false));
    assertEquals(3.0, of(0.5, 4.0, 1.0, 3.0, 2.0).discrete(true));
  }

  @Test
  void nullsAreIgnoredAndNoValuesAnswerNull() {
    assertEquals(2.0, of(0.5, null, 1.0, null, 3.0).continuous(false));
    assertNull(of(0.5, (Double) null).continuous(false));
    assertNull(new Percentiles.Values().discrete(false));
  }

  @Test
  void mergeKeepsEveryValue() {
    Percentiles.Values a = of(0.5, 1.0, 2.0);
    assertEquals(2.5, a.merge(of(0.5, 3.0, 4.0)).continuous(false));
  }

  @Test
  void aFractionOutsideZeroToOneIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> of(1.5, 1.0));
    assertEquals("the percentile fraction must be between 0 and 1, got 1.5", e.getMessage());
  }
}
