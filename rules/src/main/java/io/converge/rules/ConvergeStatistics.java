package io.converge.rules;

import io.converge.adapter.ConvergeTable;
import io.converge.storage.CollectionSnapshot;
import io.converge.storage.query.Predicate;
import java.util.List;

/** Row estimates for costs, read from the storage layer while planning. */
final class ConvergeStatistics {
  /** Selectivity assumed when the storage layer cannot estimate a predicate. */
  static final double DEFAULT_SELECTIVITY = 0.25d;

  private ConvergeStatistics() {}

  /** Rows a lookup of {@code ids} intersected with {@code predicate} is expected to select. */
  static double estimate(ConvergeTable table, Predicate predicate, List<?> ids) {
    double rows = table.collection().documentCount();
    if (predicate != null) {
      // parameters: estimate the rest, and assume a share for the comparisons with parameters
      double paramShare = ConvergeParams.paramSelectivity(predicate);
      Predicate known = paramShare < 1d ? ConvergeParams.bind(null, predicate) : predicate;
      if (known != null) {
        try (CollectionSnapshot s = table.collection().snapshot()) {
          rows = s.estimate(known);
        } catch (RuntimeException e) {
          rows = rows * DEFAULT_SELECTIVITY;
        }
      }
      rows *= paramShare;
    }
    if (ids != null) {
      rows = Math.min(rows, ids.size());
    }
    return rows;
  }
}
