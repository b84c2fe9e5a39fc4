package io.converge.cluster.aggregator.plan;

import io.converge.cluster.aggregator.session.ReadFence;
import io.converge.cluster.aggregator.session.ReadObserver;
import io.converge.cluster.fragment.FragmentParameter;
import io.converge.cluster.log.FieldStats;
import java.util.List;
import org.apache.calcite.DataContext;

/**
 * Everything a planned gather needs at run time, stashed in the generated code (no constants
 * baked into it): the fragment, where to send it and how to merge and type the rows.
 *
 * @param groupCount the leading group-key columns of an aggregate merge
 * @param combines per aggregate column after the keys, how partial values combine
 * @param targets per output column, the Java value the generated code expects
 * @param scalar one column, handed out as the value instead of a one-element array
 * @param params the fragment's parameters as planned
 * @param parameters the parameters' values of one execution, in marker order (see
 *     {@link #bind})
 * @param fence what one execution waits for the leaves to have applied (see {@link #fenced})
 * @param observer where one execution reports what the leaves' answers reflected
 */
public record ClusterGatherSpec(ClusterRuntime runtime, String collection, String sql,
    List<Integer> partitions, long schemaVersion, List<FieldStats> fields,
    ClusterMerge.Kind kind, long offset, long fetch, List<SortKey> sortKeys, int groupCount,
    List<ClusterMerge.Combine> combines, List<ClusterValues.Target> targets, boolean scalar,
    ClusterParams params, List<FragmentParameter> parameters, ReadFence fence,
    ReadObserver observer) {

  public ClusterGatherSpec {
    fence = fence == null ? ReadFence.NONE : fence;
    observer = observer == null ? ReadObserver.NONE : observer;
  }

  /**
   * This spec for one execution: the parameters' values from the statement's context and, when
   * {@code _id} keys are parameters, the partitions owning their values.
   */
  ClusterGatherSpec bind(DataContext root) {
    if (params.isEmpty()) {
      return this;
    }
    List<Integer> asked = params.keys() == null ? partitions : params.partitions(root);
    return new ClusterGatherSpec(runtime, collection, sql, asked, schemaVersion, fields, kind,
        offset, fetch, sortKeys, groupCount, combines, targets, scalar, params,
        params.values(root), fence, observer);
  }

  /**
   * This spec for one execution that waits for {@code readFence} (its session's writes and
   * earlier reads) and reports what it was answered from to {@code readObserver}.
   */
  ClusterGatherSpec fenced(ReadFence readFence, ReadObserver readObserver) {
    if (readFence.equals(fence) && readObserver == observer) {
      return this;
    }
    return new ClusterGatherSpec(runtime, collection, sql, partitions, schemaVersion, fields,
        kind, offset, fetch, sortKeys, groupCount, combines, targets, scalar, params, parameters,
        readFence, readObserver);
  }

  /** A top-N merge key: column, direction and where nulls go. */
  public record SortKey(int column, boolean descending, boolean nullsFirst) {}
}
