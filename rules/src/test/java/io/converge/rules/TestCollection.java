package io.converge.rules;

import io.converge.storage.ConvergeStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The collection {@code t} the differential and plan tests query: {@value #ROWS} documents
 * written in batches (so segment 0 is sealed and the rest is in memory), then upserts that change
 * values and types of some, and deletes.
 *
 * <p>Fields: {@code cat} (strings c0..c9, 0.1% {@code needle}, some null or missing),
 * {@code status} (a / b, 50% each), {@code n} (integers -50..50, null, missing), {@code x}
 * (integers and doubles: a DOUBLE column), {@code d} (doubles only), {@code flag} (booleans,
 * null), {@code mixed} (strings, integers, booleans: a TEXT column), {@code tags} (string arrays),
 * {@code nested.a} / {@code nested.b} (nested string and integer), {@code ts} (timestamps).
 * Doubles are multiples of 1/4, so sums are exact in any order.
 */
public final class TestCollection {
  public static final int ROWS = 80_000;
  static final String[] CATS = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"};

  private TestCollection() {}

  /** Writes {@code t}: {@value #ROWS} documents, segment 0 sealed. */
  static void write(ConvergeStore store) {
    write(store, "t", ROWS);
  }

  /**
   * Writes {@code rows} documents {@code d0, d1, ...} in batches of 10,000, waits for full
   * segments to be sealed, then upserts 2.5% of them with new values (and 0.6% new ones), and
   * deletes 1.25%.
   */
  static void write(ConvergeStore store, String collection, int rows) {
    replay(rows, batch -> RulesTestSupport.upsert(store, collection, batch), store::awaitSealed,
        ids -> store.collection(collection).delete(ids));
  }

  /**
   * The live documents after {@link #write}{@code (store, collection, rows)}, by {@code _id}
   * (the same random sequence, applied to a map: an upsert replaces, a delete removes).
   */
  public static Map<String, Map<String, Object>> documents(int rows) {
    Map<String, Map<String, Object>> docs = new LinkedHashMap<>();
    replay(rows, batch -> {
      for (Map<String, Object> d : batch) {
        docs.remove((String) d.get("_id")); // an upsert is a new row: rid order follows
        docs.put((String) d.get("_id"), d);
      }
    }, () -> { }, ids -> ids.forEach(docs::remove));
    return docs;
  }

  /** The writes of {@link #write}: batches of upserts, the seal, then upserts and deletes. */
  public static void replay(int rows, java.util.function.Consumer<List<Map<String, Object>>> upsert,
      Runnable sealed, java.util.function.Consumer<List<String>> delete) {
    Random r = new Random(42);
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      batch.add(doc(r, i, false));
      if (batch.size() == 10_000) {
        upsert.accept(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      upsert.accept(batch);
      batch = new ArrayList<>();
    }
    sealed.run();
    // upserts: existing documents (most in the sealed segment of t) get new values, some new ones
    for (int k = 0; k < rows / 40; k++) {
      batch.add(doc(r, r.nextInt(rows), true));
    }
    for (int k = 0; k < rows / 160; k++) {
      batch.add(doc(r, rows + k, true));
    }
    upsert.accept(batch);
    List<String> deletes = new ArrayList<>();
    for (int k = 0; k < rows / 80; k++) {
      deletes.add("d" + r.nextInt(rows + rows / 160));
    }
    delete.accept(deletes);
  }

  static Map<String, Object> doc(Random r, int i, boolean updated) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", "d" + i);
    if (i % 1000 == 7) {
      d.put("cat", "needle");
    } else {
      int c = r.nextInt(12);
      if (c < 10) {
        d.put("cat", CATS[c]);
      } else if (c == 10) {
        d.put("cat", null);
      } // else missing
    }
    d.put("status", i % 2 == 0 ? "a" : "b");
    int nk = r.nextInt(110);
    if (nk < 101) {
      d.put("n", (long) (nk - 50));
    } else if (nk < 105) {
      d.put("n", null);
    }
    int xk = r.nextInt(10);
    if (xk < 5) {
      d.put("x", (long) r.nextInt(40) - 20);
    } else if (xk < 9) {
      d.put("x", (r.nextInt(160) - 80) / 4.0 + (updated ? 0.25 : 0.5));
    }
    if (r.nextInt(8) != 0) {
      d.put("d", (r.nextInt(400) + 1) / 4.0);
    }
    int fk = r.nextInt(5);
    if (fk < 2) {
      d.put("flag", true);
    } else if (fk < 4) {
      d.put("flag", false);
    } else if (fk == 4 && r.nextBoolean()) {
      d.put("flag", null);
    }
    switch (r.nextInt(5)) {
    case 0 -> d.put("mixed", "42");
    case 1 -> d.put("mixed", 42L);
    case 2 -> d.put("mixed", r.nextBoolean());
    case 3 -> d.put("mixed", "m" + r.nextInt(5));
    default -> { }
    }
    int tk = r.nextInt(6);
    if (tk < 4) {
      List<Object> tags = new ArrayList<>();
      for (int k = 0; k < tk; k++) {
        tags.add("t" + r.nextInt(6));
      }
      d.put("tags", tags);
    } else if (tk == 4) {
      d.put("tags", null);
    }
    if (r.nextInt(4) != 0) {
      Map<String, Object> nested = new LinkedHashMap<>();
      if (r.nextInt(5) != 0) {
        nested.put("a", "v" + r.nextInt(20));
      }
      if (r.nextInt(5) != 0) {
        nested.put("b", (long) r.nextInt(10));
      }
      d.put("nested", nested);
    }
    if (r.nextInt(3) != 0) {
      d.put("ts", String.format("2026-01-%02dT%02d:%02d:00.%03dZ", 1 + r.nextInt(28),
          r.nextInt(24), r.nextInt(60), r.nextInt(1000)));
    }
    return d;
  }
}
