package io.converge.storage.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.RowCursor;
import io.converge.storage.exec.TopNSelector;
import io.converge.storage.index.TailSegment;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.PreparedDocument;
import io.converge.storage.query.Aggregation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read loops stop on their {@link QueryGuard}: a canceled or timed-out query ends with a
 * {@link QueryAbortedException} instead of a result, a group table over the memory limit too, and
 * a finished aggregate gives back what it reserved.
 */
class QueryGuardTest {
  @TempDir
  static Path dir;
  static ConvergeStore store;
  static ConvergeCollection coll;
  /** Two sealed segments and an in-memory one; {@code u} is unique (a group per row). */
  static final int ROWS = 2 * TailSegment.SEGMENT_ROWS + 1000;

  @BeforeAll
  static void load() throws Exception {
    store = ConvergeStore.open(dir);
    coll = store.getOrCreate("g");
    DocumentPreparer prep = new DocumentPreparer();
    List<PreparedDocument> batch = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "d" + i);
      d.put("k", "k" + (i % 5));
      d.put("u", "u" + i);
      d.put("x", (double) i);
      batch.add(prep.prepare(d, 1_000_000L));
      if (batch.size() == 10_000) {
        coll.upsert(batch);
        batch.clear();
      }
    }
    coll.upsert(batch);
    store.awaitSealed();
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static final Aggregation BY_UNIQUE = new Aggregation(List.of("u"),
      List.of(new Aggregation.Call(Aggregation.Kind.COUNT, null, false)));
  private static final Aggregation BY_FIVE = new Aggregation(List.of("k"),
      List.of(new Aggregation.Call(Aggregation.Kind.SUM, "x", false)));

  @Test
  void anAggregateWithoutAGuardAnswers() {
    try (CollectionSnapshot s = coll.snapshot()) {
      assertEquals(5, s.aggregate(BY_FIVE, null).size());
      assertSame(QueryGuard.NONE, s.guard());
    }
  }

  @Test
  void aCanceledQueryStopsItsAggregateAndItsScan() {
    AtomicBoolean cancel = new AtomicBoolean(true);
    QueryGuard guard = new QueryGuard(cancel, 0, 0, "test");
    try (CollectionSnapshot s = coll.snapshot().guard(guard)) {
      QueryAbortedException e = assertThrows(QueryAbortedException.class,
          () -> s.aggregate(BY_FIVE, null));
      assertEquals(QueryAbortedException.Reason.CANCELED, e.reason());
      assertEquals("57014", e.sqlState());
      RowCursor c = s.scan(List.of("k"));
      assertThrows(QueryAbortedException.class, c::next);
    }
  }

  @Test
  void aQueryPastItsTimeoutStopsAtTheNextSegment() throws Exception {
    QueryGuard guard = new QueryGuard(new AtomicBoolean(), 1, 0, "test");
    Thread.sleep(20);
    try (CollectionSnapshot s = coll.snapshot().guard(guard)) {
      QueryAbortedException e = assertThrows(QueryAbortedException.class,
          () -> s.aggregate(BY_FIVE, null));
      assertEquals(QueryAbortedException.Reason.TIMEOUT, e.reason());
      assertTrue(e.getMessage().contains("query timed out"), e.getMessage());
      assertEquals("HYT00", e.sqlState());
    }
  }

  @Test
  void aGroupTableOverTheMemoryLimitIsAnError() {
    long limit = 1L << 20; // 1 MB: a group per row of ~130k rows is far more
    QueryGuard guard = new QueryGuard(null, 0, limit, "test");
    try (CollectionSnapshot s = coll.snapshot().guard(guard)) {
      QueryAbortedException e = assertThrows(QueryAbortedException.class,
          () -> s.aggregate(BY_UNIQUE, null));
      assertEquals(QueryAbortedException.Reason.MEMORY, e.reason());
      assertTrue(e.getMessage().contains("query exceeded the memory limit"), e.getMessage());
    }
  }

  @Test
  void aTopNOverTheMemoryLimitIsAnError() {
    QueryGuard guard = new QueryGuard(null, 0, 1L << 20, "test");
    try (CollectionSnapshot s = coll.snapshot().guard(guard)) {
      QueryAbortedException e = assertThrows(QueryAbortedException.class,
          () -> TopNSelector.select(s, "x", TopNSelector.Order.DOUBLE, true, false,
              Integer.MAX_VALUE, null));
      assertEquals(QueryAbortedException.Reason.MEMORY, e.reason());
    }
  }

  @Test
  void aFinishedAggregateGivesBackWhatItReserved() {
    QueryGuard guard = new QueryGuard(null, 0, 1L << 30, "test");
    try (CollectionSnapshot s = coll.snapshot().guard(guard)) {
      assertEquals(ROWS, s.aggregate(BY_UNIQUE, null).size());
    }
    assertEquals(0, guard.heldBytes());
    assertTrue(guard.rowsRead() >= ROWS, "rows read " + guard.rowsRead());
  }

  @Test
  void theRegistryNamesTheLargestRunningQueryAndForgetsClosedOnes() {
    QueryGuard small = new QueryGuard(null, 0, 0, "small");
    QueryGuard large = new QueryGuard(null, 0, 0, "large");
    small.open();
    large.open();
    try {
      small.addRows(10);
      large.addRows(1_000_000);
      assertSame(large, QueryRegistry.global().largest());
      large.abort(new QueryAbortedException(QueryAbortedException.Reason.MEMORY, "stop"));
      assertSame(small, QueryRegistry.global().largest()); // a stopped one is not chosen again
      QueryAbortedException e = assertThrows(QueryAbortedException.class, large::check);
      assertEquals("stop", e.getMessage());
    } finally {
      small.close();
      large.close();
    }
    assertNull(QueryRegistry.global().largest());
  }
}
