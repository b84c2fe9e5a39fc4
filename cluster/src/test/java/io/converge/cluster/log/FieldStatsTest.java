package io.converge.cluster.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.converge.storage.schema.FieldType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Schema versions come from the shape alone, so that two aggregators (or one restarted) give a
 * leaf the same version for the same column types and never one version for two shapes.
 */
class FieldStatsTest {
  private static FieldStats field(String path, long ints, long strings) {
    long[] t = new long[FieldType.values().length];
    t[FieldType.INT.ordinal()] = ints;
    t[FieldType.STRING.ordinal()] = strings;
    return new FieldStats(path, t, new long[t.length]);
  }

  @Test
  void theVersionIsTheShapesWhoeverDerivesItAndWhatever() {
    long v = FieldStats.shapeVersion(List.of(field("a", 3, 0), field("b", 0, 9)));
    assertEquals(v, FieldStats.shapeVersion(List.of(field("a", 3, 0), field("b", 0, 9))),
        "derived again, as another aggregator does");
    assertEquals(v, FieldStats.shapeVersion(List.of(field("a", 300, 0), field("b", 0, 1))),
        "counts do not decide column types");
    assertNotEquals(v, FieldStats.shapeVersion(List.of(field("a", 3, 1), field("b", 0, 9))),
        "a type more at a path is another shape");
    assertNotEquals(v, FieldStats.shapeVersion(List.of(field("a", 3, 0))), "a path fewer");
    assertNotEquals(FieldStats.shapeVersion(List.of(field("ab", 1, 0), field("c", 1, 0))),
        FieldStats.shapeVersion(List.of(field("a", 1, 0), field("bc", 1, 0))),
        "paths are not run together");
    assertNotEquals(0, FieldStats.shapeVersion(List.of()), "0 means no schema yet");
  }

  @Test
  void theSameShapeSeenInAnotherOrderOfArrivalKeepsItsVersion() {
    // one aggregator saw shape A then B, another only B: both must call B the same
    List<FieldStats> a = List.of(field("x", 1, 0));
    List<FieldStats> b = List.of(field("x", 1, 1));
    long first = FieldStats.shapeVersion(a);
    long second = FieldStats.shapeVersion(b);
    assertNotEquals(first, second);
    assertEquals(second, FieldStats.shapeVersion(FieldStats.merge(List.of(b))));
  }
}
