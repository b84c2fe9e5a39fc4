package io.converge.storage.exec;

import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.KeySpace;
import io.converge.storage.encoding.Keys;
import io.converge.storage.encoding.SortableEncoding;
import io.converge.storage.guard.QueryGuard;
import io.converge.storage.index.Postings;
import io.converge.storage.query.Predicate;
import io.converge.storage.query.Values;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.roaringbitmap.RoaringBitmap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Evaluates a {@link Predicate} against one snapshot. Sealed segments answer from the inverted
 * index (point seeks for {@code =} / {@code IN}, one key-range scan for ranges and prefixes);
 * segments still in memory are scanned value by value with the same comparison rules
 * ({@link Values}). Sets of rids are Roaring bitmaps; three-valued logic keeps, next to the TRUE
 * set, the UNKNOWN set, computed only when a NOT needs it.
 */
public final class PredicateEvaluator {
  /** Value families: which sortable tags a literal can match. */
  private enum Family {
    NUMBER(SortableEncoding.INT, SortableEncoding.DOUBLE),
    STRING(SortableEncoding.STRING),
    BOOL(SortableEncoding.FALSE, SortableEncoding.TRUE),
    TIMESTAMP(SortableEncoding.TIMESTAMP);

    final byte[] tags;

    Family(byte... tags) {
      this.tags = tags;
    }

    static Family of(Object v) {
      if (v instanceof Long || v instanceof Double) {
        return NUMBER;
      } else if (v instanceof String) {
        return STRING;
      } else if (v instanceof Boolean) {
        return BOOL;
      } else if (v instanceof Instant) {
        return TIMESTAMP;
      }
      throw new IllegalArgumentException("not a predicate value: " + v);
    }
  }

  /** TRUE rows, and a way to get the UNKNOWN rows. */
  private record Result(RoaringBitmap trueRows, Supplier<RoaringBitmap> unknownRows) {}

  private final SegmentSource snapshot;
  /** The rows under evaluation: every live row, or a sample of them. */
  private final RoaringBitmap live;
  /** Read columns only (the sampler of {@link #estimate}), never the index. */
  private final boolean scanOnly;

  public PredicateEvaluator(SegmentSource snapshot) {
    this(snapshot, snapshot.liveRids(), false);
  }

  private PredicateEvaluator(SegmentSource snapshot, RoaringBitmap rows, boolean scanOnly) {
    this.snapshot = snapshot;
    this.live = rows;
    this.scanOnly = scanOnly;
  }

  public RoaringBitmap select(Predicate p) {
    return eval(p, false).trueRows();
  }

  /**
   * Exact for {@code =}, {@code IN} and array contains (posting sizes); for other predicates the
   * fraction of matching rows in the newest segment, scaled to the collection.
   */
  public long estimate(Predicate p) {
    if (p instanceof Predicate.Compare c && c.op() == Predicate.Op.EQ
        || p instanceof Predicate.In || p instanceof Predicate.Contains) {
      return eval(p, false).trueRows().getLongCardinality();
    }
    long total = live.getLongCardinality();
    if (total == 0) {
      return 0;
    }
    if (p instanceof Predicate.Compare c && !scanOnly) {
      // Ranges: sealed segments by their min/max statistics, the in-memory ones by scanning.
      int field = snapshot.fieldId(c.path());
      if (field >= 0 && field != io.converge.storage.index.CollectionState.ID_FIELD) {
        Double sealed = new RangeScan(snapshot, field, c).estimate(sealedSegments());
        if (sealed != null) {
          RoaringBitmap memory = inMemoryRids();
          long fresh = memory.isEmpty() ? 0
              : RoaringBitmap.and(memory, evalScanOnly(p, memory)).getLongCardinality();
          return Math.round(sealed) + fresh;
        }
      }
    }
    int last = snapshot.segmentCount() - 1;
    RoaringBitmap sample = RoaringBitmap.and(live, RoaringBitmap.bitmapOfRange(
        SegmentSource.segmentBase(last), SegmentSource.segmentBase(last + 1)));
    if (sample.getCardinality() < 1024 && last > 0) {
      last--;
      sample = RoaringBitmap.and(live, RoaringBitmap.bitmapOfRange(
          SegmentSource.segmentBase(last), SegmentSource.segmentBase(last + 2)));
    }
    if (sample.isEmpty()) {
      return total / 3;
    }
    long hits = RoaringBitmap.and(sample, evalScanOnly(p, sample)).getLongCardinality();
    return Math.max(hits > 0 ? 1 : 0, Math.round((double) hits / sample.getCardinality() * total));
  }

  /** Evaluates {@code p} by scanning columns, over the rids of {@code within} only. */
  private RoaringBitmap evalScanOnly(Predicate p, RoaringBitmap within) {
    return new PredicateEvaluator(snapshot, within, true).select(p);
  }

  /**
   * TRUE rows of {@code p}, and its UNKNOWN rows when {@code unknownNeeded} (under a NOT). Without
   * them a conjunction is evaluated narrowing: each operand only over the rows the ones before it
   * kept, index lookups first, so that a range over millions of rows tests only the few the
   * selective operands left.
   */
  private Result eval(Predicate p, boolean unknownNeeded) {
    if (p instanceof Predicate.And and && !unknownNeeded) {
      List<Predicate> ordered = new ArrayList<>(and.operands());
      ordered.sort(java.util.Comparator.comparingInt(PredicateEvaluator::evaluationRank));
      RoaringBitmap t = null;
      PredicateEvaluator narrowed = this;
      for (int i = 0; i < ordered.size(); i++) {
        Predicate o = ordered.get(i);
        int otherEnd = otherEnd(o, ordered, i);
        RoaringBitmap r;
        if (otherEnd > i) {
          r = narrowed.range((Predicate.Compare) o, (Predicate.Compare) ordered.remove(otherEnd));
        } else {
          r = narrowed.eval(o, false).trueRows();
        }
        t = t == null ? r.clone() : and(t, r);
        if (t.isEmpty()) {
          break;
        }
        narrowed = new PredicateEvaluator(snapshot, t, scanOnly);
      }
      return new Result(t == null ? live.clone() : t, PredicateEvaluator::unknownNotComputed);
    }
    if (p instanceof Predicate.And and) {
      List<Result> parts = new ArrayList<>();
      RoaringBitmap t = null;
      for (Predicate o : and.operands()) {
        Result r = eval(o, true);
        parts.add(r);
        t = t == null ? r.trueRows().clone() : and(t, r.trueRows());
      }
      RoaringBitmap trueRows = t == null ? live.clone() : t;
      return new Result(trueRows, memo(() -> {
        RoaringBitmap notFalse = null;
        for (Result r : parts) {
          RoaringBitmap nf = RoaringBitmap.or(r.trueRows(), r.unknownRows().get());
          notFalse = notFalse == null ? nf : and(notFalse, nf);
        }
        return notFalse == null ? new RoaringBitmap() : RoaringBitmap.andNot(notFalse, trueRows);
      }));
    }
    if (p instanceof Predicate.Or or) {
      List<Result> parts = new ArrayList<>();
      RoaringBitmap t = new RoaringBitmap();
      for (Predicate o : or.operands()) {
        Result r = eval(o, unknownNeeded);
        parts.add(r);
        t.or(r.trueRows());
      }
      return new Result(t, memo(() -> {
        RoaringBitmap u = new RoaringBitmap();
        for (Result r : parts) {
          u.or(r.unknownRows().get());
        }
        return RoaringBitmap.andNot(u, t);
      }));
    }
    if (p instanceof Predicate.Not not) {
      Result r = eval(not.operand(), true);
      RoaringBitmap u = r.unknownRows().get();
      RoaringBitmap t = RoaringBitmap.andNot(RoaringBitmap.andNot(live, r.trueRows()), u);
      return new Result(t, () -> u);
    }
    return evalSimple(p);
  }

  /**
   * Order of a conjunction's operands: inverted index lookups (one seek per value) before
   * disjunctions and prefixes, before ranges (which read column segments), before the rest.
   */
  private static int evaluationRank(Predicate p) {
    if (p instanceof Predicate.Compare c) {
      return c.op() == Predicate.Op.EQ ? 0 : 2;
    } else if (p instanceof Predicate.In || p instanceof Predicate.Contains) {
      return 0;
    } else if (p instanceof Predicate.Or || p instanceof Predicate.Prefix) {
      return 1;
    }
    return 3;
  }

  /**
   * A later operand of {@code ordered} bounding the same field from the other side as {@code o}
   * (integers: {@code a >= 1 AND a <= 3}), so that both ends read the column once: its index,
   * or -1.
   */
  private static int otherEnd(Predicate o, List<Predicate> ordered, int at) {
    if (!(o instanceof Predicate.Compare c) || !(c.value() instanceof Long)) {
      return -1;
    }
    boolean lower = c.op() == Predicate.Op.GT || c.op() == Predicate.Op.GE;
    boolean upper = c.op() == Predicate.Op.LT || c.op() == Predicate.Op.LE;
    if (!lower && !upper) {
      return -1;
    }
    for (int j = at + 1; j < ordered.size(); j++) {
      if (ordered.get(j) instanceof Predicate.Compare d && d.path().equals(c.path())
          && d.value() instanceof Long
          && (lower ? d.op() == Predicate.Op.LT || d.op() == Predicate.Op.LE
              : d.op() == Predicate.Op.GT || d.op() == Predicate.Op.GE)) {
        return j;
      }
    }
    return -1;
  }

  /** TRUE rows of {@code a AND b}, two comparisons of one field, each column read once. */
  private RoaringBitmap range(Predicate.Compare a, Predicate.Compare b) {
    int field = snapshot.fieldId(a.path());
    if (scanOnly || field < 0 || field == io.converge.storage.index.CollectionState.ID_FIELD) {
      RoaringBitmap t = eval(a, false).trueRows().clone();
      t.and(eval(b, false).trueRows());
      return t;
    }
    RoaringBitmap memoryRids = inMemoryRids();
    RoaringBitmap t = new ScanEvaluator(memoryRids).eval(a).trueRows();
    t.and(new ScanEvaluator(memoryRids).eval(b).trueRows());
    RoaringBitmap sealed = new RoaringBitmap();
    new RangeScan(snapshot, field, a, b).addTrueRows(sealedSegments(), live, sealed);
    t.or(sealed);
    t.and(live);
    return t;
  }

  private static RoaringBitmap unknownNotComputed() {
    throw new IllegalStateException("UNKNOWN rows of a narrowed conjunction were not computed");
  }

  private static RoaringBitmap and(RoaringBitmap a, RoaringBitmap b) {
    a.and(b);
    return a;
  }

  private static Supplier<RoaringBitmap> memo(Supplier<RoaringBitmap> s) {
    return new Supplier<>() {
      RoaringBitmap value;

      @Override
      public RoaringBitmap get() {
        if (value == null) {
          value = s.get();
        }
        return value;
      }
    };
  }

  /** A simple predicate: index for sealed segments, scan for in-memory ones. */
  private Result evalSimple(Predicate p) {
    String path = pathOf(p);
    int field = snapshot.fieldId(path);
    if (scanOnly || field < 0 || field == io.converge.storage.index.CollectionState.ID_FIELD
        || p instanceof Predicate.IsNull || p instanceof Predicate.IsNotNull) {
      // _id has no postings and null-ness is a column property: scan every segment's column.
      return new ScanEvaluator(live).eval(p);
    }
    RoaringBitmap memoryRids = inMemoryRids();
    Result scanned = new ScanEvaluator(memoryRids).eval(p);
    RoaringBitmap t = RoaringBitmap.or(scanned.trueRows(), indexTrue(p, field));
    t.and(live);
    return new Result(t, memo(() -> {
      // UNKNOWN = live rows holding no value comparable with the predicate's literal(s).
      RoaringBitmap comparable = comparableRows(p, field);
      comparable.or(RoaringBitmap.andNot(memoryRids,
          scanned.unknownRows().get()));
      RoaringBitmap u = RoaringBitmap.andNot(live, comparable);
      return u;
    }));
  }

  private static String pathOf(Predicate p) {
    if (p instanceof Predicate.Compare c) {
      return c.path();
    } else if (p instanceof Predicate.In in) {
      return in.path();
    } else if (p instanceof Predicate.Prefix pr) {
      return pr.path();
    } else if (p instanceof Predicate.Contains c) {
      return c.path();
    } else if (p instanceof Predicate.IsNull n) {
      return n.path();
    } else if (p instanceof Predicate.IsNotNull n) {
      return n.path();
    }
    throw new IllegalArgumentException("not a simple predicate: " + p);
  }

  private RoaringBitmap inMemoryRids() {
    RoaringBitmap r = new RoaringBitmap();
    for (int seg = 0; seg < snapshot.segmentCount(); seg++) {
      if (snapshot.inMemoryCount(seg) >= 0) {
        r.add(SegmentSource.segmentBase(seg), SegmentSource.segmentBase(seg + 1));
      }
    }
    r.and(live);
    return r;
  }

  /** TRUE rids of a simple predicate in the sealed segments, from the inverted index. */
  private RoaringBitmap indexTrue(Predicate p, int field) {
    RoaringBitmap out = new RoaringBitmap();
    if (p instanceof Predicate.Compare c) {
      if (c.op() == Predicate.Op.EQ) {
        pointLookup(field, c.value(), out);
      } else {
        // Ranges and <> read the column segments that min/max cannot decide: a key-range walk
        // over the postings of a many-valued field (prices, timestamps) would visit a key per
        // value and segment.
        new RangeScan(snapshot, field, c).addTrueRows(sealedSegments(), live, out);
      }
    } else if (p instanceof Predicate.In in) {
      for (Object v : in.values()) {
        pointLookup(field, v, out);
      }
    } else if (p instanceof Predicate.Contains c) {
      pointLookup(field, c.value(), out);
    } else if (p instanceof Predicate.Prefix pr) {
      byte[] enc = SortableEncoding.encode(pr.prefix());
      byte[] valuePrefix = Arrays.copyOf(enc, enc.length - 2); // without the terminator
      byte[] start = concat(Keys.collectionStart(snapshot.collectionId()), Keys.intBytes(field),
          valuePrefix);
      iterate(start, key -> Keys.startsWith(key, start), (value, seg, posting) ->
          addPosting(out, seg, posting));
    }
    return out;
  }

  /** Rows of sealed segments holding any value of the families the predicate's literals use. */
  private RoaringBitmap comparableRows(Predicate p, int field) {
    List<Object> literals = new ArrayList<>();
    if (p instanceof Predicate.Compare c) {
      literals.add(c.value());
    } else if (p instanceof Predicate.In in) {
      literals.addAll(in.values());
    } else if (p instanceof Predicate.Prefix pr) {
      literals.add(pr.prefix());
    } else if (p instanceof Predicate.Contains) {
      // Contains is UNKNOWN only where the field is null or missing: any posting counts, and an
      // empty array is known too, so ask the columns.
      return new ScanEvaluator(sealedRids()).notNullRows(p);
    }
    RoaringBitmap out = new RoaringBitmap();
    boolean[] done = new boolean[Family.values().length];
    for (Object lit : literals) {
      Family f = Family.of(lit);
      if (!done[f.ordinal()]) {
        done[f.ordinal()] = true;
        for (byte tag : f.tags) {
          byte[] start = concat(Keys.collectionStart(snapshot.collectionId()),
              Keys.intBytes(field), new byte[] {tag});
          iterate(start, key -> key.length > start.length && Keys.startsWith(key, start),
              (value, seg, posting) -> addPosting(out, seg, posting));
        }
      }
    }
    return out;
  }

  private List<Integer> sealedSegments() {
    List<Integer> out = new ArrayList<>();
    for (int seg = 0; seg < snapshot.segmentCount(); seg++) {
      if (snapshot.isSealed(seg)) {
        out.add(seg);
      }
    }
    return out;
  }

  private RoaringBitmap sealedRids() {
    return RoaringBitmap.andNot(live, inMemoryRids());
  }

  private void pointLookup(int field, Object value, RoaringBitmap out) {
    if (value instanceof Long l) {
      seekValue(field, l, out);
      double d = l;
      if ((long) d == l) {
        seekValue(field, d, out);
      }
    } else if (value instanceof Double d) {
      seekValue(field, d, out);
      if (d == Math.rint(d) && Math.abs(d) < 9.2e18) {
        seekValue(field, (long) (double) d, out);
      }
    } else {
      seekValue(field, value, out);
    }
  }

  private void seekValue(int field, Object value, RoaringBitmap out) {
    byte[] start = Keys.invertedPrefix(snapshot.collectionId(), field, value);
    iterate(start, key -> key.length == start.length + 4 && Keys.startsWith(key, start),
        (v, seg, posting) -> addPosting(out, seg, posting));
  }

  static boolean holds(Predicate.Op op, int cmp) {
    return switch (op) {
      case EQ -> cmp == 0;
      case NE -> cmp != 0;
      case LT -> cmp < 0;
      case LE -> cmp <= 0;
      case GT -> cmp > 0;
      case GE -> cmp >= 0;
    };
  }

  private void addPosting(RoaringBitmap out, int seg, byte[] posting) {
    if (snapshot.inMemoryCount(seg) >= 0) {
      return; // answered by the in-memory scan of this view
    }
    out.or(RoaringBitmap.addOffset(Postings.decode(posting), SegmentSource.segmentBase(seg)));
  }

  private interface KeyTest {
    boolean inRange(byte[] key);
  }

  private interface PostingVisitor {
    void visit(Object value, int segment, byte[] posting);
  }

  private static final RuntimeException STOP = new RuntimeException("stop", null, false, false) {};

  private void iterate(byte[] start, KeyTest inRange, PostingVisitor visitor) {
    int[] end = new int[1];
    try (RocksIterator it = snapshot.iterator(KeySpace.INVERTED)) {
      QueryGuard guard = snapshot.guard();
      int keys = 0;
      for (it.seek(start); it.isValid(); it.next()) {
        if ((++keys & 1023) == 0) {
          guard.check();
        }
        byte[] key = it.key();
        if (!inRange.inRange(key)) {
          break;
        }
        Object value = SortableEncoding.decode(key, 8, end);
        int seg = Keys.readInt(key, end[0]);
        try {
          visitor.visit(value, seg, it.value());
        } catch (RuntimeException e) {
          if (e == STOP) {
            break;
          }
          throw e;
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw snapshot.failure("reading the inverted index", e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /**
   * Evaluates simple and compound predicates by reading column values, for the rids in
   * {@code within}: the in-memory segments' path, the sampler of {@link #estimate}, and the
   * reference the index path is tested against.
   */
  final class ScanEvaluator {
    private final RoaringBitmap within;

    ScanEvaluator(RoaringBitmap within) {
      this.within = within;
    }

    Result eval(Predicate p) {
      if (p instanceof Predicate.And || p instanceof Predicate.Or || p instanceof Predicate.Not) {
        throw new IllegalArgumentException("compound predicates go through the evaluator");
      }
      if (p instanceof Predicate.Compare || p instanceof Predicate.In
          || p instanceof Predicate.Prefix) {
        // TRUE rows by the vector loops; the UNKNOWN ones only if a NOT asks.
        RoaringBitmap t = vectorTrueRows(p);
        return new Result(t, memo(() -> valueByValue(p).unknownRows().get()));
      }
      return valueByValue(p);
    }

    private RoaringBitmap vectorTrueRows(Predicate p) {
      RoaringBitmap t = new RoaringBitmap();
      VectorFilter filter = new VectorFilter();
      forEachSegment(pathOf(p), (base, rids, col) -> {
        if (col != null) {
          t.or(RoaringBitmap.addOffset(filter.matching(col, RoaringBitmap.addOffset(rids, -base), p),
              base));
        }
      });
      return t;
    }

    /** TRUE and UNKNOWN rows by testing each boxed value (the reference the loops agree with). */
    Result valueByValue(Predicate p) {
      String path = pathOf(p);
      RoaringBitmap t = new RoaringBitmap();
      RoaringBitmap u = new RoaringBitmap();
      java.util.function.Function<Object, Boolean> tester = tester(p);
      forEachValue(path, (rid, v) -> {
        Boolean b = tester.apply(v);
        if (b == null) {
          u.add(rid);
        } else if (b) {
          t.add(rid);
        }
      });
      return new Result(t, () -> u);
    }

    RoaringBitmap notNullRows(Predicate p) {
      RoaringBitmap out = new RoaringBitmap();
      forEachValue(pathOf(p), (rid, v) -> {
        if (v != null) {
          out.add(rid);
        }
      });
      return out;
    }

    private void forEachValue(String path, RidValueConsumer consumer) {
      forEachSegment(path, (base, rids, col) -> rids.forEach((int rid) ->
          consumer.accept(rid, col == null ? null : col.get((int) (rid - base)))));
    }

    /** Each segment holding rids of {@code within}: its base rid, those rids, the field's vector. */
    private void forEachSegment(String path, SegmentVisitor visitor) {
      int field = snapshot.fieldId(path);
      int segments = snapshot.segmentCount();
      for (int seg = 0; seg < segments; seg++) {
        snapshot.guard().check();
        long base = SegmentSource.segmentBase(seg);
        RoaringBitmap rids = RoaringBitmap.and(within,
            RoaringBitmap.bitmapOfRange(base, base + io.converge.storage.index.TailSegment.SEGMENT_ROWS));
        if (!rids.isEmpty()) {
          visitor.visit(base, rids, snapshot.vector(field, seg));
        }
      }
    }
  }

  private interface SegmentVisitor {
    void visit(long base, RoaringBitmap rids, ColumnVector vector);
  }

  /**
   * {@link #test} for one predicate. An {@code IN} of many integers or many strings (a star
   * join's semi-join keys) looks values up in a hash set instead of comparing with each literal;
   * an integer (or string) value is comparable with every literal there, so the answer is TRUE or
   * FALSE as {@link #test} gives it; other values go through {@link #test}.
   */
  static java.util.function.Function<Object, Boolean> tester(Predicate p) {
    if (p instanceof Predicate.In in && in.values().size() > 4) {
      boolean longs = in.values().stream().allMatch(x -> x instanceof Long);
      boolean strings = in.values().stream().allMatch(x -> x instanceof String);
      if (longs || strings) {
        java.util.Set<Object> set = new java.util.HashSet<>(in.values());
        Class<?> type = longs ? Long.class : String.class;
        return v -> v != null && v.getClass() == type ? (Boolean) set.contains(v) : test(p, v);
      }
    }
    return v -> test(p, v);
  }

  private interface RidValueConsumer {
    void accept(int rid, Object value);
  }

  /** TRUE, FALSE or UNKNOWN (null) for one stored value. */
  static Boolean test(Predicate p, Object v) {
    if (p instanceof Predicate.IsNull) {
      return v == null;
    }
    if (p instanceof Predicate.IsNotNull) {
      return v != null;
    }
    if (v == null) {
      return null;
    }
    if (p instanceof Predicate.Contains c) {
      if (!(v instanceof List<?> list)) {
        return null;
      }
      for (Object el : list) {
        Integer cmp = Values.compare(el, c.value());
        if (cmp != null && cmp == 0) {
          return true;
        }
      }
      return false;
    }
    if (v instanceof List) {
      return null; // arrays compare with nothing but Contains
    }
    if (p instanceof Predicate.Compare c) {
      if (v instanceof String s && c.value() instanceof String lit
          && (c.op() == Predicate.Op.EQ || c.op() == Predicate.Op.NE)) {
        return s.equals(lit) == (c.op() == Predicate.Op.EQ); // no code point order needed
      }
      Integer cmp = Values.compare(v, c.value());
      return cmp == null ? null : holds(c.op(), cmp);
    }
    if (p instanceof Predicate.In in) {
      boolean comparable = false;
      for (Object lit : in.values()) {
        if (v instanceof String s && lit instanceof String l) {
          if (s.equals(l)) {
            return true;
          }
          comparable = true;
          continue;
        }
        Integer cmp = Values.compare(v, lit);
        if (cmp != null) {
          if (cmp == 0) {
            return true;
          }
          comparable = true;
        }
      }
      return comparable ? false : null;
    }
    if (p instanceof Predicate.Prefix pr) {
      return v instanceof String s ? s.startsWith(pr.prefix()) : null;
    }
    throw new IllegalArgumentException("not a simple predicate: " + p);
  }
}
