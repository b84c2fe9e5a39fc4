package io.converge.cluster.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.metrics.ConvergeMetrics;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A leaf's fragment work counters: a thread's CPU counted once, however parts nest. */
class FragmentWorkTest {

  private static long spin() {
    long x = 0;
    for (long i = 0; i < 50_000_000L; i++) {
      x += i ^ (x >>> 3);
    }
    return x;
  }

  @Test
  void countsAThreadsCpuOnceAndOnlyInsideItsOutermostPart() {
    double before = FragmentWork.cpuSeconds();
    long outer = FragmentWork.start();
    assertNotEquals(-1, outer, "this JVM measures thread CPU time");
    long inner = FragmentWork.start();
    assertEquals(-1, inner, "a nested part is counted by the enclosing one");
    assertNotEquals(1, spin());
    FragmentWork.stop(inner);
    double afterInner = FragmentWork.cpuSeconds();
    assertEquals(before, afterInner, "the nested part's end counts nothing");
    FragmentWork.stop(outer);
    double afterOuter = FragmentWork.cpuSeconds();
    assertTrue(afterOuter > afterInner, "the outer part counted the loop");
    // the thread is free again: a new part counts
    long again = FragmentWork.start();
    assertNotEquals(-1, again);
    FragmentWork.stop(again);
    assertTrue(FragmentWork.cpuSeconds() >= afterOuter);
  }

  @Test
  void rowsAreScrapedAsCounters() {
    FragmentWork.register();
    FragmentWork.rowsReturned(3);
    FragmentWork.shardRows(40);
    String body = new String(ConvergeMetrics.scrape(null).body(), StandardCharsets.UTF_8);
    assertTrue(value(body, "converge_leaf_fragment_rows_total") >= 3, body);
    assertTrue(value(body, "converge_leaf_fragment_shard_rows_total") >= 40, body);
    assertTrue(value(body, "converge_leaf_fragment_cpu_seconds_total") >= 0, body);
  }

  /** The value of an untagged sample; fails when there is none. */
  static double value(String body, String name) {
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length()).trim().split(" ")[0]);
      }
    }
    throw new AssertionError("no sample " + name);
  }
}
