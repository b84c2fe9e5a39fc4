package io.converge.cluster.aggregator.view;

import io.converge.cluster.log.ClusterTopics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Who is alive, from Kafka's own group membership: the members of every replica group's consumer
 * group ({@code converge.leaves.*}), by {@code group.instance.id} (the leaf id), with the
 * partitions each owns. A leaf that died leaves its group when its session times out.
 */
final class GroupMembership {
  private GroupMembership() {}

  /**
   * Per leaf id, the "topic:partition"s its consumer owns.
   *
   * @throws IllegalStateException when Kafka does not answer within the timeout
   */
  static Map<String, Set<String>> members(Admin admin, long timeoutMillis)
      throws InterruptedException {
    try {
      Collection<GroupListing> groups = admin.listGroups(ListGroupsOptions.forConsumerGroups())
          .all().get(timeoutMillis, TimeUnit.MILLISECONDS);
      List<String> leafGroups = new ArrayList<>();
      for (GroupListing g : groups) {
        if (g.groupId().startsWith(ClusterTopics.LEAF_GROUP_PREFIX)) {
          leafGroups.add(g.groupId());
        }
      }
      Map<String, Set<String>> out = new HashMap<>();
      if (leafGroups.isEmpty()) {
        return out;
      }
      Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(leafGroups)
          .all().get(timeoutMillis, TimeUnit.MILLISECONDS);
      for (ConsumerGroupDescription d : described.values()) {
        for (MemberDescription m : d.members()) {
          String id = m.groupInstanceId().orElse(null);
          if (id == null) {
            continue;
          }
          Set<String> owned = out.computeIfAbsent(id, k -> new HashSet<>());
          for (TopicPartition tp : m.assignment().topicPartitions()) {
            owned.add(tp.topic() + ":" + tp.partition());
          }
        }
      }
      return out;
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe the leaves' consumer groups: "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not describe the leaves' consumer groups within "
          + timeoutMillis + " ms", e);
    }
  }
}
