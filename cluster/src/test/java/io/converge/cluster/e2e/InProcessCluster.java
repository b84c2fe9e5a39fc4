package io.converge.cluster.e2e;

import io.converge.cluster.aggregator.AggregatorNode;
import io.converge.cluster.aggregator.AggregatorOptions;
import io.converge.cluster.leaf.LeafNode;
import io.converge.cluster.leaf.LeafOptions;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.ServerOptions;
import io.converge.server.auth.ServerSecurity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cluster for end-to-end tests: a real KRaft broker (a child process), leaves and one aggregator
 * in this JVM, talking through Kafka and Arrow Flight on 127.0.0.1 exactly as separate processes
 * would. Tests that need separate processes (kill -9) use {@code cluster start}.
 */
final class InProcessCluster implements AutoCloseable {
  private final Path dir;
  private final int partitions;
  private final LocalKafkaBroker broker;
  private final List<LeafNode> leaves = new ArrayList<>();
  private AggregatorNode aggregator;
  private final List<AggregatorNode> moreAggregators = new ArrayList<>();

  private InProcessCluster(Path dir, int partitions, LocalKafkaBroker broker) {
    this.dir = dir;
    this.partitions = partitions;
    this.broker = broker;
  }

  static InProcessCluster start(Path dir, int partitions) throws IOException, InterruptedException {
    LocalKafkaBroker broker = LocalKafkaBroker.start(dir.resolve("kafka"));
    InProcessCluster c = new InProcessCluster(dir, partitions, broker);
    try {
      c.aggregator = AggregatorNode.startOnKafka(new AggregatorOptions(broker.bootstrap(),
          new ServerOptions(dir.resolve("aggregator"), "127.0.0.1", 0, "protobuf"), partitions),
          ServerSecurity.none());
    } catch (RuntimeException | InterruptedException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Starts {@code count} leaves of a replica group. */
  void addLeaves(String group, int count) {
    for (int i = 0; i < count; i++) {
      leaves.add(LeafNode.startServingFlight(new LeafOptions(broker.bootstrap(),
          dir.resolve("leaf-" + group + "-" + i), group, "127.0.0.1", 0)));
    }
  }

  /** Starts one leaf of a replica group over the given fragment endpoint. */
  LeafNode addLeaf(String group, io.converge.cluster.leaf.FragmentEndpoint.Factory endpoints) {
    LeafNode leaf = LeafNode.start(new LeafOptions(broker.bootstrap(),
        dir.resolve("leaf-" + group + "-" + leaves.size()), group, "127.0.0.1", 0), endpoints);
    leaves.add(leaf);
    return leaf;
  }

  /** Starts another aggregator over the same Kafka (closed with the cluster). */
  AggregatorNode addAggregator() throws InterruptedException {
    AggregatorNode a = AggregatorNode.startOnKafka(new AggregatorOptions(broker.bootstrap(),
        new ServerOptions(dir.resolve("aggregator-" + (moreAggregators.size() + 2)), "127.0.0.1",
            0, "protobuf"), partitions), ServerSecurity.none());
    moreAggregators.add(a);
    return a;
  }

  /**
   * Starts one leaf of a replica group serving Arrow Flight, and returns its Flight server: a
   * test closes it to make the leaf stop answering while it stays in its group (as after kill -9,
   * until the group's session times out).
   */
  io.converge.cluster.transport.LeafFlightServer addLeafWithFlight(String group) {
    java.util.concurrent.atomic.AtomicReference<io.converge.cluster.transport.LeafFlightServer>
        flight = new java.util.concurrent.atomic.AtomicReference<>();
    addLeaf(group, (host, port, executor) -> {
      io.converge.cluster.transport.LeafFlightServer server =
          io.converge.cluster.transport.LeafFlightServer.start(host, port, executor);
      flight.set(server);
      return new io.converge.cluster.leaf.FragmentEndpoint() {
        @Override
        public int port() {
          return server.port();
        }

        @Override
        public void close() {
          server.close();
        }
      };
    });
    return flight.get();
  }

  String bootstrap() {
    return broker.bootstrap();
  }

  String jdbcUrl() {
    return aggregator.jdbcUrl();
  }

  String apiUrl() {
    return aggregator.baseUrl();
  }

  AggregatorNode aggregator() {
    return aggregator;
  }

  List<LeafNode> leaves() {
    return leaves;
  }

  int partitions() {
    return partitions;
  }

  /**
   * Waits until every partition of every collection is served and every serving shard has applied
   * its partition to the end: then the leaves hold everything Kafka acknowledged so far.
   */
  @SuppressWarnings("unchecked")
  void awaitCaughtUp(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    String previous = null;
    int stable = 0;
    while (System.nanoTime() < deadline) {
      Map<String, Object> status = aggregator.view().status();
      boolean done = true;
      for (Map<String, Object> leaf : (List<Map<String, Object>>) status.get("leaves")) {
        for (Map<String, Object> shard : (List<Map<String, Object>>) leaf.get("partitions")) {
          if (Boolean.TRUE.equals(shard.get("assigned")) && ((Number) shard.get("lag")).longValue() > 0) {
            done = false;
          }
        }
      }
      for (Map<String, Object> coll : (List<Map<String, Object>>) status.get("collections")) {
        Object unserved = coll.get("unservedPartitions");
        if (unserved instanceof List<?> l && !l.isEmpty()) {
          done = false;
        }
      }
      // and the replica groups have settled: the same leaves serve the same partitions for 2 s
      String serving = servingShards(status);
      stable = done && serving.equals(previous) ? stable + 1 : 0;
      previous = serving;
      if (stable >= 20) {
        return;
      }
      last = status.toString();
      Thread.sleep(100);
    }
    throw new AssertionError("the cluster did not catch up within " + timeout + ": " + last);
  }

  @SuppressWarnings("unchecked")
  private static String servingShards(Map<String, Object> status) {
    StringBuilder b = new StringBuilder();
    for (Map<String, Object> leaf : (List<Map<String, Object>>) status.get("leaves")) {
      b.append(leaf.get("id")).append(leaf.get("alive")).append(':');
      for (Map<String, Object> shard : (List<Map<String, Object>>) leaf.get("partitions")) {
        if (Boolean.TRUE.equals(shard.get("serving"))) {
          b.append(shard.get("collection")).append('/').append(shard.get("partition")).append(',');
        }
      }
      b.append(';');
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    if (aggregator != null) {
      aggregator.close();
    }
    for (AggregatorNode a : moreAggregators) {
      a.close();
    }
    for (LeafNode leaf : leaves) {
      leaf.close();
    }
    broker.close();
  }
}
