package io.converge.cluster.aggregator.plan;

import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.fragment.FragmentTransport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an aggregator's connections plan and run against: the cluster view and the fragment
 * transport. Calcite builds schemas from a model (a JDBC URL), so live objects are registered
 * here in-process under an id that the model's operand names ({@link ClusterSchemaFactory}).
 *
 * @param id the registry id
 * @param view the cluster as the aggregator knows it
 * @param transport opens fragment streams to leaves
 * @param preferredGroup the replica group to prefer when routing, or null
 */
public record ClusterRuntime(String id, ClusterView view, FragmentTransport transport,
    String preferredGroup) {
  private static final Map<String, ClusterRuntime> REGISTRY = new ConcurrentHashMap<>();

  /** Registers a runtime under {@code id} (replacing any earlier one) and returns the id. */
  public static String register(String id, ClusterView view, FragmentTransport transport) {
    return register(id, view, transport, null);
  }

  /** {@link #register(String, ClusterView, FragmentTransport)} preferring a replica group. */
  public static String register(String id, ClusterView view, FragmentTransport transport,
      String preferredGroup) {
    REGISTRY.put(id, new ClusterRuntime(id, view, transport, preferredGroup));
    return id;
  }

  /** The runtime registered under {@code id}. */
  public static ClusterRuntime get(String id) {
    ClusterRuntime r = REGISTRY.get(id);
    if (r == null) {
      throw new IllegalArgumentException("no cluster runtime registered as '" + id + "'");
    }
    return r;
  }

  /** This runtime routing to {@code group} first (null: no preference). */
  public ClusterRuntime preferring(String group) {
    return group == null || group.equals(preferredGroup) ? this
        : new ClusterRuntime(id, view, transport, group);
  }

  /** Forgets a runtime (its view and transport are the caller's to close). */
  public static void unregister(String id) {
    REGISTRY.remove(id);
  }
}
