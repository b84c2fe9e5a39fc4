package io.converge.cluster.leaf;

import io.converge.cluster.log.ClusterAdmin;
import io.converge.cluster.log.ClusterTopics;
import org.apache.kafka.clients.admin.Admin;

/** Creates the announcement topic ({@link ClusterTopics#LEAVES}) if missing, before a leaf speaks. */
final class ClusterTopicSetup {
  private ClusterTopicSetup() {}

  static void ensure(String bootstrap) {
    try (Admin admin = ClusterAdmin.admin(bootstrap)) {
      ClusterAdmin.ensureCompactedTopic(admin, ClusterTopics.LEAVES, 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the cluster topics", e);
    }
  }
}
