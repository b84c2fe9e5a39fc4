package io.converge.storage.query;

import java.util.List;

/**
 * A dimension table inner-joined to the aggregated (fact) collection on one integer field, for an
 * {@link Aggregation} over a star join: a fact row whose {@code factPath} value equals one of
 * {@code keys} is joined with that key's dimension row; a fact row with no such key (or no
 * integer there) is dropped. Keys are unique (each fact row joins at most one row).
 *
 * @param factPath the fact field holding the foreign key
 * @param keys the dimension's key of each of its rows
 * @param attributes per dimension column grouped by, its value in each row (aligned with
 *     {@code keys}): Long, Double, String, Boolean or null
 */
public record DimensionJoin(String factPath, long[] keys, List<Object[]> attributes) {
  public DimensionJoin {
    for (Object[] values : attributes) {
      if (values.length != keys.length) {
        throw new IllegalArgumentException("an attribute of " + values.length + " values for "
            + keys.length + " keys");
      }
    }
  }

  /** A group key of a star aggregate: attribute {@code attribute} of join {@code join}. */
  public record Key(int join, int attribute) {}
}
