package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.bench.LoadRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The short form of {@code bin/converge bench load}: 8 Avatica connections run needle,
 * {@code GROUP BY} and {@code _id} lookup queries for 20 seconds while documents are posted
 * through the HTTP API; no query or write may fail or see a wrong answer, and the final counts
 * must equal what was written. Throughput and latency are printed, not asserted.
 */
@Tag("slow")
class LoadTest {
  static final int CLIENTS = 8;
  static final long SECONDS = 20;
  static final long RATE = 500;
  static final long DOCS = 20_000;

  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  @Test
  void eightClientsQueryWhileDocumentsArriveWithoutErrorsAndTheCountsMatch() throws Exception {
    LoadRun run = new LoadRun(new LoadRun.Config(SERVER.jdbcUrl(), SERVER.server().apiUrl(),
        "load_events", CLIENTS, SECONDS, RATE, DOCS));
    run.load();
    LoadRun.Result r = run.run();
    LoadRun.describe(r).forEach(l -> System.out.println("load test: " + l));
    assertEquals(0, r.allErrors(), String.join("\n", LoadRun.describe(r)));
    assertTrue(r.written() > 0, "the writer acknowledged nothing");
    for (LoadRun.KindResult k : r.kinds().values()) {
      assertTrue(k.queries() > 0, "no " + k.kind() + " query completed");
    }
    assertEquals(r.expectedCount(), r.finalCount(), "count(*) after the run");
    assertEquals(r.needleExpected(), r.needleFinal(), "needle count after the run");
    assertEquals(DOCS + r.written(), r.finalCount());
  }
}
