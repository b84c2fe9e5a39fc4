package io.converge.storage.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.query.Predicate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * The vector loops agree with {@link PredicateEvaluator#test} value by value, for every kind of
 * vector (dictionary strings built from a tail included), operator and literal type.
 */
class VectorFilterTest {
  private static final int ROWS = 3_000;

  @Test
  void loopsAgreeWithTestingEachValue() {
    Random r = new Random(42);
    int checked = 0;
    for (int round = 0; round < 60; round++) {
      Object[] values = column(r, round % 6);
      ColumnVector[] forms = {ColumnVector.of(values, ROWS), ColumnVector.ofTail(values, ROWS)};
      RoaringBitmap rows = new RoaringBitmap();
      for (int i = 0; i < ROWS; i++) {
        if (r.nextInt(4) != 0) {
          rows.add(i);
        }
      }
      for (int k = 0; k < 40; k++) {
        Predicate p = predicate(r, values);
        RoaringBitmap expected = new RoaringBitmap();
        rows.forEach((int o) -> {
          if (Boolean.TRUE.equals(PredicateEvaluator.test(p, values[o]))) {
            expected.add(o);
          }
        });
        for (ColumnVector v : forms) {
          assertEquals(expected, new VectorFilter().matching(v, rows, p),
              () -> p + " over a " + v.kind() + " vector");
          checked++;
        }
      }
    }
    assertEquals(60 * 40 * 2, checked);
  }

  @Test
  void tailStringsOfFewValuesBecomeADictionary() {
    Object[] values = new Object[ROWS];
    for (int i = 0; i < ROWS; i++) {
      values[i] = i % 7 == 0 ? null : "v" + (i % 5);
    }
    ColumnVector tail = ColumnVector.ofTail(values, ROWS);
    assertEquals(ColumnVector.Kind.STRING_DICT, tail.kind());
    assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), List.of(tail.dictionary()));
    for (int i = 0; i < ROWS; i++) {
      assertEquals(values[i], tail.get(i), "row " + i);
    }
    Object[] distinct = new Object[ROWS];
    for (int i = 0; i < ROWS; i++) {
      distinct[i] = "id" + i;
    }
    assertEquals(ColumnVector.Kind.STRING, ColumnVector.ofTail(distinct, ROWS).kind());
  }

  /** A column of one kind: 0 integers, 1 doubles, 2 timestamps, 3 few strings, 4 many, 5 mixed. */
  private static Object[] column(Random r, int kind) {
    Object[] out = new Object[ROWS];
    for (int i = 0; i < ROWS; i++) {
      if (r.nextInt(10) == 0) {
        continue;
      }
      out[i] = switch (kind) {
        case 0 -> (long) r.nextInt(50) - 10;
        case 1 -> r.nextInt(8) == 0 ? -0.0d : r.nextInt(100) / 4.0 - 5;
        case 2 -> Instant.ofEpochMilli(1_600_000_000_000L + r.nextInt(1000));
        case 3 -> "s" + r.nextInt(12);
        case 4 -> "u" + r.nextInt(100_000);
        default -> switch (r.nextInt(3)) {
          case 0 -> (long) r.nextInt(20);
          case 1 -> "s" + r.nextInt(5);
          default -> r.nextInt(20) / 2.0;
        };
      };
    }
    return out;
  }

  private static Predicate predicate(Random r, Object[] values) {
    Object lit = literal(r, values);
    switch (r.nextInt(4)) {
      case 0, 1 -> {
        Predicate.Op op = Predicate.Op.values()[r.nextInt(Predicate.Op.values().length)];
        return new Predicate.Compare("f", op, lit);
      }
      case 2 -> {
        List<Object> in = new ArrayList<>();
        int n = r.nextInt(8); // an empty IN too (a star join's empty dimension)
        for (int i = 0; i < n; i++) {
          in.add(r.nextInt(5) == 0 ? literal(r, values) : lit);
          lit = literal(r, values);
        }
        return new Predicate.In("f", in);
      }
      default -> {
        return new Predicate.Prefix("f", lit instanceof String s && !s.isEmpty()
            ? s.substring(0, 1 + r.nextInt(s.length())) : "s1");
      }
    }
  }

  /** Mostly a value of the column (so that some rows match), sometimes one of another type. */
  private static Object literal(Random r, Object[] values) {
    Object v = values[r.nextInt(ROWS)];
    if (v != null && r.nextInt(5) != 0) {
      return v;
    }
    return switch (r.nextInt(5)) {
      case 0 -> (long) r.nextInt(40) - 5;
      case 1 -> r.nextInt(40) / 4.0;
      case 2 -> "s" + r.nextInt(12);
      case 3 -> Instant.ofEpochMilli(1_600_000_000_000L + r.nextInt(1000));
      default -> 3L;
    };
  }
}
