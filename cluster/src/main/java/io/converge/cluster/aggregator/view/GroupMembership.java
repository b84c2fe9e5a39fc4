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
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * Who is alive, from Kafka's own group membership: the members of every replica group's consumer
 * group ({@code converge.leaves.*}), by {@code group.instance.id} (the leaf id), with the
 * partitions each owns. A leaf that died leaves its group when its session times out.
 *
 * <p>While a group rebalances, Kafka describes its members without their assignments; a member
 * keeps owning what it owned until the rebalance ends (a partition it gives up it hands off and
 * announces so), so for a group that is not stable each listed member keeps the partitions the
 * previous listing gave it.
 */
final class GroupMembership {
  private GroupMembership() {}

  /**
   * Per leaf id, the "topic:partition"s its consumer owns; {@code previous} is the last listing,
   * which members of a rebalancing group keep.
   *
   * @throws IllegalStateException when Kafka does not answer within the timeout
   */
  static Map<String, Set<String>> members(Admin admin, long timeoutMillis,
      Map<String, Set<String>> previous) throws InterruptedException {
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
      Set<String> rebalancing = new HashSet<>();
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
          if (d.groupState() != GroupState.STABLE) {
            rebalancing.add(id);
          }
        }
      }
      return keepThroughRebalance(out, rebalancing, previous);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe the leaves' consumer groups: "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not describe the leaves' consumer groups within "
          + timeoutMillis + " ms", e);
    }
  }

  /**
   * {@code listed}, where each member of {@code rebalancing} that is listed owning nothing keeps
   * what {@code previous} gave it.
   */
  static Map<String, Set<String>> keepThroughRebalance(Map<String, Set<String>> listed,
      Set<String> rebalancing, Map<String, Set<String>> previous) {
    Map<String, Set<String>> out = new HashMap<>(listed);
    for (String id : rebalancing) {
      Set<String> before = previous.get(id);
      if (before != null && out.getOrDefault(id, Set.of()).isEmpty()) {
        out.put(id, before);
      }
    }
    return out;
  }
}
