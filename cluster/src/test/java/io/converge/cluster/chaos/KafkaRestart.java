package io.converge.cluster.chaos;

import java.time.Duration;
import java.util.Random;

/**
 * The broker stops (half of the time gracefully, else kill -9) and starts again on the same
 * directory and ports after up to 4 seconds. Meanwhile writes answer 503 with Retry-After (the
 * writers retry them) and the leaves cannot fetch; nothing Kafka acknowledged may be lost.
 */
final class KafkaRestart implements Fault {
  @Override
  public String kind() {
    return "kafka-restart";
  }

  @Override
  public String inject(ChaosCluster cluster, Random random) throws Exception {
    boolean graceful = random.nextBoolean();
    Duration down = Duration.ofMillis(random.nextInt(4_000));
    long start = System.nanoTime();
    cluster.restartKafka(graceful, down);
    return (graceful ? "graceful stop" : "kill -9") + " of Kafka, down " + down.toMillis()
        + " ms, answering again after " + (System.nanoTime() - start) / 1_000_000 + " ms";
  }
}
