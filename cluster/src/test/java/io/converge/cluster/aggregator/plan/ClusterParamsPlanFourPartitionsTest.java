package io.converge.cluster.aggregator.plan;

import org.junit.jupiter.api.BeforeAll;

/** {@link ClusterParamsPlanTest}'s checks with the documents over 4 partitions held by 2 leaves. */
class ClusterParamsPlanFourPartitionsTest extends ClusterParamsPlanTest {
  @BeforeAll
  static void load() throws Exception {
    load(4, 2);
  }
}
