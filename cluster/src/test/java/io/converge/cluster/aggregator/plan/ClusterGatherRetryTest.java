package io.converge.cluster.aggregator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A leaf whose stream breaks after it sent rows (it died mid-answer): while those rows are still
 * held back, the gather asks again and the answer has every row once; past the held rows, the
 * query fails with the leaf's reason rather than answer in part.
 */
class ClusterGatherRetryTest extends ClusterPlanFixture {
  @BeforeAll
  static void load() throws Exception {
    load(4, 2);
  }

  @AfterEach
  void restore() {
    ClusterGatherRun.heldRows = 16_384;
    cluster.transport.failNextAfterRows.set(-1);
  }

  @Test
  void aStreamBrokenWithinTheHeldRowsIsAskedAgainWithNothingDoubled() throws SQLException {
    List<String> expected = sorted(rows(reference, "select \"_id\", amount from orders"));
    cluster.transport.failNextAfterRows.set(100);
    List<String> got = sorted(rows(distributed, "select \"_id\", amount from orders"));
    assertEquals(-1, cluster.transport.failNextAfterRows.get(), "the failure was armed and used");
    assertEquals(ORDERS, new HashSet<>(got).size());
    assertEquals(expected, got);

    cluster.transport.failNextAfterRows.set(0);
    assertEquals(rows(reference, "select count(*), sum(amount) from orders"),
        rows(distributed, "select count(*), sum(amount) from orders"));
  }

  @Test
  void aStreamBrokenAfterItsRowsWentOnFailsTheQueryWithItsReason() {
    ClusterGatherRun.heldRows = 10;
    cluster.transport.failNextAfterRows.set(100);
    // In process the gather's own exception arrives; through Avatica, its message in a SQLException.
    Exception e = assertThrows(Exception.class,
        () -> rows(distributed, "select \"_id\", amount from orders"));
    assertTrue(String.valueOf(e.getMessage()).contains("died mid-stream"), e.getMessage());
  }
}
