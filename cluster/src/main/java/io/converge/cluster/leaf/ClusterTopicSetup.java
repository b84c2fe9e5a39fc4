package io.converge.cluster.leaf;

import io.converge.cluster.log.ClusterTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the cluster's own compacted topics ({@link ClusterTopics#LEAVES}, CATALOG) if missing. */
final class ClusterTopicSetup {
  private ClusterTopicSetup() {}

  static void ensure(String bootstrap) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String t : List.of(ClusterTopics.LEAVES, ClusterTopics.CATALOG)) {
        if (!existing.contains(t)) {
          missing.add(new NewTopic(t, 1, (short) 1).configs(Map.of(
              TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e; // another leaf creating them at the same moment is fine
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the cluster topics at " + bootstrap + ": "
          + (e.getCause() == null ? e : e.getCause()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the cluster topics", e);
    }
  }
}
