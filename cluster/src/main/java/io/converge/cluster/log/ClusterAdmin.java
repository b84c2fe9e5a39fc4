package io.converge.cluster.log;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the cluster's topics: all of them compacted, so each holds the latest value per key. */
public final class ClusterAdmin {
  private ClusterAdmin() {}

  public static Admin admin(String bootstrap) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
  }

  /**
   * Creates a compacted topic unless it exists, with the broker's default replication factor, and
   * waits until every partition has a leader (a new topic is listed before it is led, and
   * producing then meets NOT_LEADER_OR_FOLLOWER retries).
   *
   * @return true when this call created it
   */
  public static boolean ensureCompactedTopic(Admin admin, String topic, int partitions)
      throws InterruptedException {
    boolean created = true;
    Map<String, String> config = new HashMap<>();
    config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    // a tombstone must outlive a leaf that is away for a while, or that leaf keeps the document
    config.put(TopicConfig.DELETE_RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(7)));
    try {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())
          .configs(config))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create Kafka topic " + topic + ": "
            + e.getCause().getMessage(), e.getCause());
      }
      created = false;
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not create topic " + topic + " within 30 s", e);
    }
    awaitLeaders(admin, topic, partitions);
    return created;
  }

  private static void awaitLeaders(Admin admin, String topic, int partitions)
      throws InterruptedException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Kafka topic " + topic + " has no leader after 30 s", e);
        }
        Thread.sleep(100);
      }
    }
  }
}
