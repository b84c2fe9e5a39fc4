package io.converge.cluster.aggregator.write;

import io.converge.adapter.ConvergeColumn;
import java.util.List;

/**
 * What SQL writes need of a cluster table: the planner's table returns one from
 * {@code unwrap(ClusterWriteTarget.class)} (and {@code SystemColumnDefaults.INSTANCE} from
 * {@code unwrap(InitializerExpressionFactory.class)}, so that INSERT may leave out {@code _id} and
 * {@code _event_time}), and {@link ClusterTableModifyRule} plans its INSERT / UPDATE / DELETE.
 */
public interface ClusterWriteTarget {
  /** The collection (catalog name) written. */
  String writeCollection();

  /** The table's columns as planned, in row order ({@code _id} and {@code _event_time} first). */
  List<ConvergeColumn> writeColumns();

  /**
   * The Kafka bootstrap of the cluster the table belongs to, to find its aggregator's writer; null
   * when the process runs one aggregator.
   */
  default String writeBootstrap() {
    return null;
  }
}
