package io.converge.cluster.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeded chaos test: writers and readers against a real process cluster (as
 * {@code bin/converge cluster start} starts it: Kafka, a leaf in each of two replica groups, two
 * aggregators) while leaves, aggregators and the broker are killed and started again; then
 * nothing acknowledged is lost, nothing read was wrong, and queries were answered.
 *
 * <p>In CI: one fault of each kind (leaf kill, aggregator kill, broker restart, leaf added or
 * removed), a few minutes on 2 cores. A soak, with a seed to repeat a
 * run's choices:
 *
 * <pre>
 * mvn -B -o -pl cluster test -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dconverge.chaos.faults=50 -Dconverge.chaos.seed=7
 * </pre>
 */
@Tag("slow")
class ChaosTest {
  @TempDir Path tmp;
  private ChaosCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void acknowledgedWritesSurviveKilledLeavesAggregatorsAndBrokerRestarts() throws Exception {
    Class.forName("io.converge.jdbc.ConvergeDriver");
    ChaosSettings settings = ChaosSettings.fromSystemProperties();
    System.out.println("chaos: seed " + settings.seed() + ", " + settings.faults() + " faults"
        + " (repeat with -D" + ChaosSettings.SEED_PROPERTY + "=" + settings.seed() + ")");
    long start = System.nanoTime();
    ChaosTally tally = new ChaosTally();
    cluster = ChaosCluster.start(tmp.resolve("cluster"), settings.partitions());
    ChaosRun run = new ChaosRun(settings, cluster, tally);
    try {
      run.run();
    } finally {
      System.out.println(tally.report(settings.seed(), (System.nanoTime() - start) / 1_000_000));
      cluster.keepLogs(Path.of("target", "chaos-" + settings.seed()));
      run.checkOutput().forEach(o -> System.out.println("chaos: converge check " + o));
    }
    ChaosTally t = tally;
    assertEquals(settings.faults(), t.faults.get(), "faults injected");
    assertEquals(0, t.lost.get(), "lost: " + t.lostFindings());
    assertEquals(0, t.wrong.get(), "wrong: " + t.wrongFindings());
    assertEquals(List.of(), t.notRetryable(), "failures not of a retryable kind");
    assertTrue(t.querySuccess() >= 0.99, "queries answered: " + t.querySuccess());
    assertTrue(t.writesAcked.get() > settings.baseDocs(), "the clients' writes were acknowledged");
  }
}
