package io.converge.storage.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.RowCursor;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.query.Aggregation;
import io.converge.storage.query.Predicate;
import io.converge.storage.query.Predicate.Op;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * The index path of {@link CollectionSnapshot#select} and the column path of
 * {@link CollectionSnapshot#aggregate} against a row-by-row reference, over random predicates, on
 * a collection with sealed and in-memory segments, upserts, deletes, nulls, missing fields, mixed
 * types and arrays.
 */
class QueryEvaluationTest {
  private static final List<String> PATHS = List.of("_id", "n", "d", "mixed", "s", "b", "t",
      "tags", "c.k", "sparse");
  private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "", "al", "beta\0x",
      "é", "Z"};

  @TempDir
  static Path dir;
  static ConvergeStore store;
  static ConvergeCollection coll;
  /** Every live document's leaf values by rid, read back through a full scan. */
  static Map<Integer, Object[]> rows;

  @BeforeAll
  static void load() throws Exception {
    store = ConvergeStore.open(dir);
    coll = store.getOrCreate("q");
    SplittableRandom r = new SplittableRandom(11);
    DocumentPreparer prep = new DocumentPreparer();
    int n = TailSegment.SEGMENT_ROWS * 2 + 5000;
    List<PreparedDocument> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(prep.prepare(randomDoc(r, "d" + i), 0));
      if (batch.size() == 4000) {
        coll.upsert(batch);
        batch.clear();
      }
    }
    coll.upsert(batch);
    store.awaitSealed();
    // updates and deletes across sealed and in-memory segments
    batch.clear();
    for (int i = 0; i < 3000; i++) {
      batch.add(prep.prepare(randomDoc(r, "d" + r.nextInt(n)), 0));
    }
    coll.upsert(batch);
    List<String> gone = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      gone.add("d" + r.nextInt(n));
    }
    coll.delete(gone);
    rows = new HashMap<>();
    try (CollectionSnapshot s = coll.snapshot()) {
      RowCursor c = s.scan(PATHS);
      while (c.next()) {
        Object[] v = new Object[PATHS.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = c.get(i);
        }
        rows.put((int) c.rid(), v);
      }
    }
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static Map<String, Object> randomDoc(SplittableRandom r, String id) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("_id", id);
    if (r.nextInt(10) > 0) {
      m.put("n", (long) r.nextInt(-50, 1000));
    }
    if (r.nextInt(8) > 0) {
      m.put("d", r.nextInt(4) == 0 ? (Object) (long) r.nextInt(100) : (Object) (r.nextInt(2000) / 8.0));
    }
    switch (r.nextInt(4)) {
      case 0 -> m.put("mixed", (long) r.nextInt(20));
      case 1 -> m.put("mixed", WORDS[r.nextInt(WORDS.length)]);
      case 2 -> m.put("mixed", null);
      default -> { }
    }
    if (r.nextInt(6) > 0) {
      m.put("s", WORDS[r.nextInt(WORDS.length)] + (r.nextInt(50) == 0 ? "-" + r.nextInt(100000) : ""));
    }
    if (r.nextInt(3) > 0) {
      m.put("b", r.nextBoolean());
    }
    if (r.nextInt(5) > 0) {
      m.put("t", Instant.ofEpochSecond(1_700_000_000L + r.nextInt(100_000)).toString());
    }
    if (r.nextInt(4) > 0) {
      List<Object> tags = new ArrayList<>();
      for (int k = r.nextInt(4); k > 0; k--) {
        tags.add(WORDS[r.nextInt(WORDS.length)]);
      }
      m.put("tags", tags);
    }
    if (r.nextInt(3) > 0) {
      m.put("c", Map.of("k", (long) r.nextInt(5)));
    }
    if (r.nextInt(1000) == 0) {
      m.put("sparse", "rare");
    }
    return m;
  }

  private static Object literal(SplittableRandom r, String path) {
    return switch (path) {
      case "n", "c.k" -> r.nextInt(3) == 0
          ? (Object) (r.nextInt(-60, 1000) + 0.5) : (Object) (long) r.nextInt(-60, 1010);
      case "d" -> r.nextBoolean() ? (Object) (r.nextInt(2000) / 8.0) : (Object) (long) r.nextInt(250);
      case "mixed" -> r.nextBoolean() ? (Object) (long) r.nextInt(20) : WORDS[r.nextInt(WORDS.length)];
      case "s", "sparse", "_id" -> r.nextInt(10) == 0 ? "rare"
          : path.equals("_id") ? "d" + r.nextInt(140000) : WORDS[r.nextInt(WORDS.length)];
      case "b" -> r.nextBoolean();
      case "t" -> Instant.ofEpochSecond(1_700_000_000L + r.nextInt(100_000));
      default -> WORDS[r.nextInt(WORDS.length)];
    };
  }

  private static Predicate randomPredicate(SplittableRandom r, int depth) {
    int k = r.nextInt(depth > 2 ? 7 : 10);
    if (k >= 7) {
      List<Predicate> ops = new ArrayList<>();
      for (int i = r.nextInt(1, 4); i > 0; i--) {
        ops.add(randomPredicate(r, depth + 1));
      }
      return switch (k) {
        case 7 -> new Predicate.And(ops);
        case 8 -> new Predicate.Or(ops);
        default -> new Predicate.Not(ops.get(0));
      };
    }
    List<String> scalarPaths = List.of("_id", "n", "d", "mixed", "s", "b", "t", "c.k", "sparse");
    String path = scalarPaths.get(r.nextInt(scalarPaths.size()));
    return switch (k) {
      case 0, 1 -> new Predicate.Compare(path, Op.values()[r.nextInt(6)], literal(r, path));
      case 2 -> {
        // three literals, or eight (a hash set's lookup in the in-memory segments)
        List<Object> values = new ArrayList<>();
        for (int i = r.nextBoolean() ? 3 : 8; i > 0; i--) {
          values.add(literal(r, path));
        }
        yield new Predicate.In(path, values);
      }
      case 3 -> new Predicate.Prefix(r.nextBoolean() ? "s" : "mixed",
          prefixOf(WORDS[r.nextInt(WORDS.length)], r.nextInt(3)));
      case 4 -> new Predicate.Contains("tags", WORDS[r.nextInt(WORDS.length)]);
      case 5 -> new Predicate.IsNull(r.nextBoolean() ? path : "tags");
      default -> new Predicate.IsNotNull(r.nextBoolean() ? path : "tags");
    };
  }

  private static String prefixOf(String w, int n) {
    return w.substring(0, Math.min(n, w.length()));
  }

  /** Three-valued reference: TRUE, FALSE, or null for UNKNOWN. */
  private static Boolean reference(Predicate p, Object[] row) {
    if (p instanceof Predicate.And a) {
      Boolean result = true;
      for (Predicate o : a.operands()) {
        Boolean b = reference(o, row);
        if (Boolean.FALSE.equals(b)) {
          return false;
        }
        if (b == null) {
          result = null;
        }
      }
      return result;
    }
    if (p instanceof Predicate.Or o) {
      Boolean result = false;
      for (Predicate x : o.operands()) {
        Boolean b = reference(x, row);
        if (Boolean.TRUE.equals(b)) {
          return true;
        }
        if (b == null) {
          result = null;
        }
      }
      return result;
    }
    if (p instanceof Predicate.Not n) {
      Boolean b = reference(n.operand(), row);
      return b == null ? null : !b;
    }
    String path;
    if (p instanceof Predicate.Compare c) {
      path = c.path();
    } else if (p instanceof Predicate.In i) {
      path = i.path();
    } else if (p instanceof Predicate.Prefix x) {
      path = x.path();
    } else if (p instanceof Predicate.Contains c) {
      path = c.path();
    } else if (p instanceof Predicate.IsNull x) {
      path = x.path();
    } else {
      path = ((Predicate.IsNotNull) p).path();
    }
    return PredicateEvaluator.test(p, row[PATHS.indexOf(path)]);
  }

  @Test
  void indexPathAgreesWithRowByRowEvaluationOnRandomPredicates() {
    SplittableRandom r = new SplittableRandom(Long.getLong("converge.storage.queries.seed", 5));
    int queries = Integer.getInteger("converge.storage.queries", 400);
    try (CollectionSnapshot s = coll.snapshot()) {
      assertTrue(s.segmentCount() >= 3);
      for (int q = 0; q < queries; q++) {
        Predicate p = randomPredicate(r, 0);
        RoaringBitmap expected = new RoaringBitmap();
        rows.forEach((rid, row) -> {
          if (Boolean.TRUE.equals(reference(p, row))) {
            expected.add(rid);
          }
        });
        RoaringBitmap actual = s.select(p);
        assertEquals(expected, actual, () -> "predicate " + p + ": expected "
            + expected.getCardinality() + " rows, got " + actual.getCardinality()
            + "; missing " + RoaringBitmap.andNot(expected, actual).first());
        long est = s.estimate(p);
        assertTrue(est >= 0);
      }
    }
  }

  @Test
  void restrictedScansReturnTheSameValuesFromRowStoreAndColumns() {
    SplittableRandom r = new SplittableRandom(8);
    try (CollectionSnapshot s = coll.snapshot()) {
      // sparse (row store; then from cached column vectors) to dense (columns); the passes at
      // 1 in 100 read the row store until their reads add up to decoding the columns, then the
      // decoded columns
      int[] densities = {1000, 1000, 100, 100, 100, 100, 100, 100, 20, 2};
      for (int pass = 0; pass < densities.length; pass++) {
        int density = densities[pass];
        if (pass == 0 || density != densities[pass - 1]) {
          store.clearColumnCache(); // each sparse density starts with the row store
        }
        RoaringBitmap pick = new RoaringBitmap();
        rows.keySet().forEach(rid -> {
          if (r.nextInt(density) == 0) {
            pick.add(rid);
          }
        });
        pick.add(Integer.MAX_VALUE - 1); // not a live rid: skipped
        RowCursor c = s.scan(PATHS, pick);
        int seen = 0;
        while (c.next()) {
          Object[] want = rows.get((int) c.rid());
          for (int i = 0; i < PATHS.size(); i++) {
            assertEquals(want[i], c.get(i), PATHS.get(i) + " of rid " + c.rid());
          }
          seen++;
        }
        assertEquals(pick.getCardinality() - 1, seen);
      }
    }
  }

  @Test
  void equalityEstimatesAreExact() {
    try (CollectionSnapshot s = coll.snapshot()) {
      Predicate p = new Predicate.Compare("sparse", Op.EQ, "rare");
      assertEquals(s.select(p).getLongCardinality(), s.estimate(p));
      assertTrue(s.estimate(p) > 50 && s.estimate(p) < 300, "estimate " + s.estimate(p));
    }
  }

  @Test
  void lookupFindsLiveIdsOnly() {
    try (CollectionSnapshot s = coll.snapshot()) {
      List<String> ids = List.of("d1", "d2", "d3", "nope");
      RoaringBitmap expected = new RoaringBitmap();
      rows.forEach((rid, row) -> {
        if (ids.contains(row[0])) {
          expected.add(rid);
        }
      });
      assertEquals(expected, s.lookup(ids));
      RowCursor c = s.scan(List.of("_id"), expected);
      int seen = 0;
      while (c.next()) {
        assertTrue(ids.contains((String) c.get(0)));
        seen++;
      }
      assertEquals(expected.getCardinality(), seen);
    }
  }

  @Test
  void aggregatesOnTwoThreadsAgreeWithRowByRowFolding() {
    int before = ColumnAggregator.parallelMinSegments;
    ColumnAggregator.parallelMinSegments = 2;
    try {
      aggregatesAgreeWithRowByRowFolding();
    } finally {
      ColumnAggregator.parallelMinSegments = before;
    }
  }

  @Test
  void aggregatesAgreeWithRowByRowFolding() {
    SplittableRandom r = new SplittableRandom(3);
    try (CollectionSnapshot s = coll.snapshot()) {
      for (int q = 0; q < 40; q++) {
        Predicate p = q % 4 == 0 ? null : randomPredicate(r, 1);
        RoaringBitmap filter = p == null ? null : s.select(p);
        List<String> groupBy = switch (q % 5) {
          case 0 -> List.of();
          case 1 -> List.of("s");
          case 2 -> List.of("b", "c.k");
          case 3 -> List.of("mixed");
          default -> List.of("d");
        };
        List<Aggregation.Call> calls = List.of(
            new Aggregation.Call(Aggregation.Kind.COUNT, null, false),
            new Aggregation.Call(Aggregation.Kind.COUNT, "n", false),
            new Aggregation.Call(Aggregation.Kind.SUM, "n", false),
            new Aggregation.Call(Aggregation.Kind.SUM, "d", false),
            new Aggregation.Call(Aggregation.Kind.MIN, "s", false),
            new Aggregation.Call(Aggregation.Kind.MAX, "t", false),
            new Aggregation.Call(Aggregation.Kind.COUNT, "s", true));
        List<Object[]> actual = s.aggregate(new Aggregation(groupBy, calls), filter);
        Map<List<Object>, Object[]> expected = referenceAggregate(groupBy, filter);
        assertEquals(expected.size(), actual.size(), "groups for " + groupBy + " / " + p);
        for (Object[] row : actual) {
          List<Object> key = Arrays.asList(Arrays.copyOf(row, groupBy.size()));
          Object[] want = expected.get(key);
          assertTrue(want != null, "unexpected group " + key);
          for (int i = 0; i < calls.size(); i++) {
            Object got = row[groupBy.size() + i];
            if (want[i] instanceof Double w && got instanceof Double g) {
              assertEquals(w, g, Math.abs(w) * 1e-12, "call " + i + " of " + key);
            } else {
              assertEquals(want[i], got, "call " + i + " of group " + key + " / " + p);
            }
          }
        }
      }
    }
  }

  @Test
  void aggregatesOverArithmeticAgreeWithRowByRowFolding() {
    Aggregation.Arithmetic times = new Aggregation.Arithmetic(Aggregation.Arithmetic.Op.TIMES, "n", "c.k");
    Aggregation.Arithmetic minus = new Aggregation.Arithmetic(Aggregation.Arithmetic.Op.MINUS, "n", "d");
    List<Aggregation.Call> calls = List.of(
        Aggregation.Call.over(Aggregation.Kind.SUM, times),
        Aggregation.Call.over(Aggregation.Kind.COUNT, times),
        Aggregation.Call.over(Aggregation.Kind.MAX, times),
        Aggregation.Call.over(Aggregation.Kind.SUM, minus),
        Aggregation.Call.over(Aggregation.Kind.MIN, minus));
    try (CollectionSnapshot s = coll.snapshot()) {
      for (List<String> groupBy : List.of(List.<String>of(), List.of("s"), List.of("b"))) {
        List<Object[]> actual = s.aggregate(new Aggregation(groupBy, calls), null);
        Map<List<Object>, Object[]> expected = new HashMap<>();
        for (Object[] row : rows.values()) {
          List<Object> key = new ArrayList<>();
          for (String g : groupBy) {
            key.add(row[PATHS.indexOf(g)]);
          }
          Object[] acc = expected.computeIfAbsent(key, k -> new Object[] {null, 0L, null, null, null});
          Object n = row[PATHS.indexOf("n")];
          Object k = row[PATHS.indexOf("c.k")];
          Object d = row[PATHS.indexOf("d")];
          if (n != null && k != null) {
            long t = (Long) n * (Long) k;
            acc[0] = acc[0] == null ? t : (Long) acc[0] + t;
            acc[1] = (Long) acc[1] + 1;
            acc[2] = acc[2] == null ? t : Math.max((Long) acc[2], t);
          }
          if (n != null && d != null) {
            double m = (Long) n - ((Number) d).doubleValue();
            acc[3] = acc[3] == null ? m : (Double) acc[3] + m;
            acc[4] = acc[4] == null ? m : Math.min((Double) acc[4], m);
          }
        }
        assertEquals(expected.size(), actual.size(), "groups of " + groupBy);
        for (Object[] row : actual) {
          List<Object> key = Arrays.asList(Arrays.copyOf(row, groupBy.size()));
          Object[] want = expected.get(key);
          assertTrue(want != null, "unexpected group " + key);
          for (int i = 0; i < calls.size(); i++) {
            Object got = row[groupBy.size() + i];
            if (want[i] instanceof Double w && got instanceof Double g) {
              assertEquals(w, g, Math.abs(w) * 1e-9, "call " + i + " of " + key);
            } else {
              assertEquals(want[i], got, "call " + i + " of group " + key);
            }
          }
        }
      }
    }
  }

  /**
   * Star aggregates (dimensions joined on {@code n} and {@code c.k}, grouped by fact fields and
   * dimension attributes) against a row-by-row join: dense and hashed key indexes, Long, String
   * and boxed attributes with nulls, fact rows whose key is missing or matches nothing.
   */
  @Test
  void starAggregatesAgreeWithRowByRowJoins() {
    List<Long> aKeys = new ArrayList<>();
    for (long k = -60; k <= 1100; k += 3) {
      aKeys.add(k);
    }
    List<Object[]> aAttrs = List.<Object[]>of(
        aKeys.stream().map(k -> k % 11 == 0 ? null : (Object) (k % 7)).toArray(),
        aKeys.stream().map(k -> (Object) ("w" + Math.floorMod(k, 5))).toArray());
    List<Long> bKeys = List.of(0L, 1L, 2L, 3L);
    List<Object[]> bAttrs = List.<Object[]>of(new Object[] {"k0", "k1", null, "k3"},
        new Object[] {0.0, 1.5, 3.0, null});
    List<Long> cKeys = new ArrayList<>();
    for (long k = -50; k <= 1000; k += 2) {
      cKeys.add(k);
    }
    cKeys.add(5_000_000_000L); // a key range too wide for the dense index
    List<Object[]> cAttrs = List.<Object[]>of(cKeys.stream().map(k -> (Object) (k / 100)).toArray());
    io.converge.storage.query.DimensionJoin a = join("n", aKeys, aAttrs);
    io.converge.storage.query.DimensionJoin b = join("c.k", bKeys, bAttrs);
    io.converge.storage.query.DimensionJoin c = join("n", cKeys, cAttrs);
    Aggregation.Arithmetic times = new Aggregation.Arithmetic(Aggregation.Arithmetic.Op.TIMES, "n", "c.k");
    List<Aggregation.Call> calls = List.of(
        new Aggregation.Call(Aggregation.Kind.COUNT, null, false),
        new Aggregation.Call(Aggregation.Kind.SUM, "n", false),
        new Aggregation.Call(Aggregation.Kind.SUM, "d", false),
        new Aggregation.Call(Aggregation.Kind.MIN, "s", false),
        Aggregation.Call.over(Aggregation.Kind.SUM, times));
    record Case(List<String> groupBy, List<io.converge.storage.query.DimensionJoin> joins,
        List<io.converge.storage.query.DimensionJoin.Key> keys) {}
    List<Case> cases = List.of(
        new Case(List.of(), List.of(a), List.of()),
        new Case(List.of(), List.of(a, b), List.of(new io.converge.storage.query.DimensionJoin.Key(0, 0))),
        new Case(List.of("s"), List.of(b), List.of(new io.converge.storage.query.DimensionJoin.Key(0, 0))),
        new Case(List.of("b"), List.of(a, b), List.of(new io.converge.storage.query.DimensionJoin.Key(0, 1),
            new io.converge.storage.query.DimensionJoin.Key(1, 1))),
        new Case(List.of(), List.of(c, b), List.of(new io.converge.storage.query.DimensionJoin.Key(0, 0),
            new io.converge.storage.query.DimensionJoin.Key(1, 0))));
    SplittableRandom r = new SplittableRandom(5);
    try (CollectionSnapshot s = coll.snapshot()) {
      for (int q = 0; q < cases.size() * 2; q++) {
        Case k = cases.get(q % cases.size());
        Predicate p = q < cases.size() ? null : randomPredicate(r, 1);
        RoaringBitmap filter = p == null ? null : s.select(p);
        List<Object[]> actual = s.aggregate(
            new Aggregation(k.groupBy(), calls, k.joins(), k.keys()), filter);
        Map<List<Object>, Object[]> expected = new LinkedHashMap<>();
        List<Integer> rids = new ArrayList<>(rows.keySet());
        rids.sort(Comparator.naturalOrder());
        next:
        for (int rid : rids) {
          if (filter != null && !filter.contains(rid)) {
            continue;
          }
          Object[] row = rows.get(rid);
          int[] dimRow = new int[k.joins().size()];
          for (int j = 0; j < dimRow.length; j++) {
            Object fk = row[PATHS.indexOf(k.joins().get(j).factPath())];
            dimRow[j] = -1;
            long[] keys = k.joins().get(j).keys();
            for (int i = 0; fk instanceof Long l && i < keys.length; i++) {
              if (keys[i] == l) {
                dimRow[j] = i;
              }
            }
            if (dimRow[j] < 0) {
              continue next;
            }
          }
          List<Object> key = new ArrayList<>();
          for (String g : k.groupBy()) {
            key.add(row[PATHS.indexOf(g)]);
          }
          for (io.converge.storage.query.DimensionJoin.Key dk : k.keys()) {
            key.add(k.joins().get(dk.join()).attributes().get(dk.attribute())[dimRow[dk.join()]]);
          }
          Object[] acc = expected.computeIfAbsent(key, x -> new Object[] {0L, null, null, null, null});
          acc[0] = (Long) acc[0] + 1;
          Object n = row[PATHS.indexOf("n")];
          if (n != null) {
            acc[1] = acc[1] == null ? (Long) n : (Long) acc[1] + (Long) n;
          }
          Object d = row[PATHS.indexOf("d")];
          if (d != null) {
            double dv = ((Number) d).doubleValue();
            acc[2] = acc[2] == null ? dv : (Double) acc[2] + dv;
          }
          Object sv = row[PATHS.indexOf("s")];
          if (sv != null) {
            acc[3] = acc[3] == null || ((String) sv).compareTo((String) acc[3]) < 0 ? sv : acc[3];
          }
          Object ck = row[PATHS.indexOf("c.k")];
          if (n != null && ck != null) {
            long t = (Long) n * (Long) ck;
            acc[4] = acc[4] == null ? t : (Long) acc[4] + t;
          }
        }
        int keyCount = k.groupBy().size() + k.keys().size();
        if (expected.isEmpty() && keyCount == 0) {
          expected.put(List.of(), new Object[] {0L, null, null, null, null});
        }
        if (p == null) {
          assertTrue(expected.size() > (keyCount == 0 ? 0 : 1), "a case with groups: " + k);
        }
        assertEquals(expected.size(), actual.size(), "groups of " + k + " / " + p);
        for (Object[] row : actual) {
          List<Object> key = Arrays.asList(Arrays.copyOf(row, keyCount));
          Object[] want = expected.get(key);
          assertTrue(want != null, "unexpected group " + key + " of " + k);
          for (int i = 0; i < calls.size(); i++) {
            Object got = row[keyCount + i];
            if (want[i] instanceof Double w && got instanceof Double g) {
              assertEquals(w, g, Math.abs(w) * 1e-9, "call " + i + " of " + key);
            } else {
              assertEquals(want[i], got, "call " + i + " of group " + key + " of " + k + " / " + p);
            }
          }
        }
      }
    }
  }

  private static io.converge.storage.query.DimensionJoin join(String path, List<Long> keys,
      List<Object[]> attributes) {
    return new io.converge.storage.query.DimensionJoin(path,
        keys.stream().mapToLong(Long::longValue).toArray(), attributes);
  }

  private static Map<List<Object>, Object[]> referenceAggregate(List<String> groupBy,
      RoaringBitmap filter) {
    Map<List<Object>, Object[]> out = new LinkedHashMap<>();
    Map<List<Object>, java.util.Set<Object>> distinct = new HashMap<>();
    List<Integer> rids = new ArrayList<>(rows.keySet());
    rids.sort(Comparator.naturalOrder());
    for (int rid : rids) {
      if (filter != null && !filter.contains(rid)) {
        continue;
      }
      Object[] row = rows.get(rid);
      List<Object> key = new ArrayList<>();
      for (String g : groupBy) {
        Object v = row[PATHS.indexOf(g)];
        key.add(g.equals("d") && v instanceof Long l ? (Object) l.doubleValue() : v);
      }
      Object[] acc = out.computeIfAbsent(key, k -> new Object[] {0L, 0L, null, null, null, null, 0L});
      acc[0] = (Long) acc[0] + 1;
      Object n = row[PATHS.indexOf("n")];
      if (n != null) {
        acc[1] = (Long) acc[1] + 1;
        acc[2] = acc[2] == null ? (Long) n : (Long) acc[2] + (Long) n;
      }
      Object d = row[PATHS.indexOf("d")];
      if (d != null) {
        double dv = ((Number) d).doubleValue();
        acc[3] = acc[3] == null ? dv : (Double) acc[3] + dv;
      }
      Object sv = row[PATHS.indexOf("s")];
      if (sv != null) {
        acc[4] = acc[4] == null || ((String) sv).compareTo((String) acc[4]) < 0 ? sv : acc[4];
        distinct.computeIfAbsent(key, k -> new java.util.HashSet<>()).add(sv);
        acc[6] = (long) distinct.get(key).size();
      }
      Object t = row[PATHS.indexOf("t")];
      if (t != null) {
        acc[5] = acc[5] == null || ((Instant) t).isAfter((Instant) acc[5]) ? t : acc[5];
      }
    }
    if (out.isEmpty() && groupBy.isEmpty()) {
      out.put(List.of(), new Object[] {0L, 0L, null, null, null, null, 0L});
    }
    return out;
  }
}
