package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.ConvergeStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Documents written into the running server's store are visible to the next query. */
class LiveWritesTest {
  static final int BATCH = 100;

  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData()
      .and(store -> TestData.upsert(store.getOrCreate("ticks"), batch(0)));

  /** Documents t(b*100) .. t(b*100+99), each with n = its number. */
  static List<Map<String, Object>> batch(int b) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (int i = b * BATCH; i < (b + 1) * BATCH; i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "t" + i);
      d.put("n", (long) i);
      docs.add(d);
    }
    return docs;
  }

  static ConvergeStore store() {
    return SERVER.server().store();
  }

  @Test
  void aCollectionCreatedWhileServingBecomesQueryable() throws SQLException {
    TestData.upsert(store().getOrCreate("fresh"), List.of(Map.of("_id", "f1", "color", "red")));
    try (Connection c = SERVER.connect()) {
      assertEquals(List.of(Sql.row("f1", "red")),
          Sql.rows(c, "select \"_id\", color from fresh"));
    }
  }

  @Test
  void aCollectionCreatedWhileServingIsListedByMetadata() throws SQLException {
    TestData.upsert(store().getOrCreate("listed"), List.of(Map.of("_id", "l1", "v", 1L)));
    try (Connection c = SERVER.connect();
        ResultSet rs = c.getMetaData().getTables(null, "converge", "listed", null)) {
      assertTrue(rs.next(), "getTables lists the new collection");
    }
  }

  @Test
  void aFieldFirstSeenWhileServingBecomesAColumn() throws SQLException {
    try (Connection c = SERVER.connect()) {
      assertEquals(300L, Sql.scalar(c, "select count(*) from orders"));
      TestData.upsert(store().collection("customers"),
          List.of(Map.of("_id", "c99", "name", "Late", "segment", "smb")));
      assertEquals("smb", Sql.scalar(c, "select segment from customers where \"_id\" = 'c99'"));
    }
  }

  @Test
  void readersSeeWholeBatchesWhileAWriterUpserts() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    AtomicBoolean writing = new AtomicBoolean(true);
    try {
      Future<?> writer = pool.submit(() -> {
        try {
          for (int b = 1; b <= 20; b++) {
            TestData.upsert(store().collection("ticks"), batch(b));
          }
        } finally {
          writing.set(false);
        }
        return null;
      });
      List<Future<List<String>>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          List<String> torn = new ArrayList<>();
          try (Connection c = SERVER.connect()) {
            do {
              List<Object> row = Sql.rows(c, "select count(*), sum(n) from ticks").get(0);
              long count = (Long) row.get(0);
              long sum = (Long) row.get(1);
              // whole batches 0..k: count = 100(k+1), sum = count(count-1)/2
              if (count % BATCH != 0 || sum != count * (count - 1) / 2) {
                torn.add(count + "/" + sum);
              }
            } while (writing.get());
          }
          return torn;
        }));
      }
      writer.get(120, TimeUnit.SECONDS);
      for (Future<List<String>> f : readers) {
        assertEquals(List.of(), f.get(120, TimeUnit.SECONDS), "torn reads (count/sum)");
      }
      try (Connection c = SERVER.connect()) {
        assertEquals(21L * BATCH, Sql.scalar(c, "select count(*) from ticks"));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
