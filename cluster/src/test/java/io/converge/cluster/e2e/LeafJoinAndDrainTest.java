package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.leaf.LeafNode;
import io.converge.cluster.log.LeafAnnouncement;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf joins a one-group cluster and then the first leaf drains out of it, while a reader
 * queries and a writer writes all along: partitions move twice, and no query fails, none counts a
 * partition twice or misses one (a fixed collection's answers stay exact), and a session's counts
 * of the growing collection never go back.
 */
@Tag("slow")
class LeafJoinAndDrainTest {
  private static final int PARTITIONS = 4;
  private static final int FIXED = 400;
  private static final Duration MOVE = Duration.ofMinutes(2);

  @TempDir Path dir;

  @Test
  void partitionsMoveToAJoiningLeafAndAwayFromADrainingOneWithoutAFailedQuery() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start(dir.resolve("cluster"), PARTITIONS)) {
      cluster.addLeafWithFlight("g");
      LeafNode first = cluster.leaves().get(0);
      List<Map<String, Object>> docs = new ArrayList<>();
      for (int i = 0; i < FIXED; i++) {
        docs.add(doc("f" + i, i));
      }
      ClusterHttp.post(cluster.apiUrl(), "fixed", docs);
      ClusterHttp.post(cluster.apiUrl(), "growing", List.of(doc("w0", 0)));
      cluster.awaitCaughtUp(MOVE);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong posted = new AtomicLong(1);
      AtomicLong queries = new AtomicLong();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      Thread writer = new Thread(() -> {
        for (int i = 1; i < 100_000 && !stop.get(); i++) {
          posted.incrementAndGet(); // counted before it is sent: a count never exceeds it
          ClusterHttp.post(cluster.apiUrl(), "growing", List.of(doc("w" + i, i)));
          pause(20);
        }
      }, "test-writer");
      Thread reader = new Thread(() -> read(cluster.jdbcUrl(), stop, posted, queries, problems),
          "test-reader");
      writer.start();
      reader.start();
      try {
        await("the reader ran its first queries", () -> queries.get() >= 3);
        long beforeJoin = queries.get();
        cluster.addLeafWithFlight("g");
        LeafNode joined = cluster.leaves().get(1);
        await("the joined leaf serves partitions and the first let go of them",
            () -> serving(joined) > 0 && handingOff(first) == 0
                && serving(first) + serving(joined) == 2 * PARTITIONS);
        long afterJoin = queries.get();

        first.drain();
        assertTrue(first.awaitStopped(MOVE), "the first leaf did not finish draining");
        first.close();
        assertEquals(2 * PARTITIONS, serving(joined),
            "the joined leaf serves every partition of both collections");
        long untilDrained = queries.get();
        pause(1_000);
        stop.set(true);
        writer.join(30_000);
        reader.join(60_000);
        assertTrue(problems.isEmpty(), problems.size() + " failed or wrong queries, first: "
            + problems.peek());
        assertTrue(afterJoin > beforeJoin && untilDrained > afterJoin, "queries ran through the "
            + "join and the drain: " + beforeJoin + ", " + afterJoin + ", " + untilDrained);
        try (Connection c = DriverManager.getConnection(cluster.jdbcUrl());
            Statement st = c.createStatement()) {
          assertEquals(FIXED, count(st, "fixed"));
        }
      } finally {
        stop.set(true);
        writer.join(30_000);
        reader.join(60_000);
      }
    }
  }

  private static void read(String url, AtomicBoolean stop, AtomicLong posted,
      AtomicLong queries, ConcurrentLinkedQueue<String> problems) {
    long last = 0;
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.setQueryTimeout(60);
      for (int i = 0; i < 100_000 && !stop.get(); i++) {
        try (ResultSet rs = st.executeQuery("select count(*), sum(n) from fixed")) {
          rs.next();
          if (rs.getLong(1) != FIXED || rs.getLong(2) != (long) FIXED * (FIXED - 1) / 2) {
            problems.add("fixed: count " + rs.getLong(1) + ", sum " + rs.getLong(2));
          }
        }
        long n = count(st, "growing");
        if (n < last || n > posted.get()) {
          problems.add("growing: count " + n + " after " + last + " with " + posted.get()
              + " posted");
        }
        last = n;
        queries.incrementAndGet();
      }
    } catch (Exception e) {
      problems.add(e.toString());
    }
  }

  private static long count(Statement st, String collection) throws Exception {
    try (ResultSet rs = st.executeQuery("select count(*) from " + collection)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static int serving(LeafNode leaf) {
    return count(leaf, s -> s.assigned() && !s.catchingUp());
  }

  private static int handingOff(LeafNode leaf) {
    return count(leaf, LeafAnnouncement.Shard::handingOff);
  }

  private static int count(LeafNode leaf, Predicate<LeafAnnouncement.Shard> p) {
    return (int) leaf.announcement().shards().stream().filter(p).count();
  }

  private static void await(String what, java.util.function.BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + MOVE.toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within " + MOVE + ": " + what);
      Thread.sleep(200);
    }
  }

  private static Map<String, Object> doc(String id, int n) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", id);
    d.put("n", n);
    return d;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
