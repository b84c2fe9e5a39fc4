package io.converge.cluster.aggregator.session;

import java.util.Map;

/**
 * Where one read of a collection reports what the leaves' answers reflected, so that the
 * session's next read waits for at least as much ({@link ClusterSession#answered}).
 */
@FunctionalInterface
public interface ReadObserver {
  /** Nothing is kept: a read outside a session, or with monotonic reads off. */
  ReadObserver NONE = offsets -> { };

  /**
   * A leaf answered: per partition, an offset of the collection's topic up to which its answer
   * held every record.
   */
  void answered(Map<Integer, Long> offsets);
}
