package io.converge.cluster.fragment;

import io.converge.cluster.log.FieldStats;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A query fragment as the aggregator sends it to one leaf (the Arrow Flight ticket).
 *
 * <p>{@code sql} is a query over one table named exactly {@code collection} (quoted, no schema
 * prefix). The leaf runs it once per listed partition, against that partition's shard, with the
 * table's columns typed by {@code fields} (the merged field statistics the aggregator planned
 * with) so that every shard returns the columns, types and semantics the aggregator expects. A
 * leaf that does not currently hold one of {@code partitions} refuses the whole request
 * ({@link FragmentException.Kind#UNAVAILABLE}) rather than answer part of it.
 *
 * @param queryId for logs and cancellation
 * @param collection the collection the fragment reads
 * @param sql the fragment's SQL
 * @param partitions the partitions to answer for (each once)
 * @param schemaVersion the version of {@code fields} ({@link FieldStats#shapeVersion}): equal
 *     versions mean equal column types from any aggregator, so a leaf may cache what it planned
 * @param fields the merged field statistics of the collection
 * @param deadlineMillis epoch millis after which the leaf stops and fails the fragment
 * @param parameters the values of the {@code ?} markers of {@code sql}, in the markers' order
 *     (empty when it has none); a leaf binds them on the prepared statement it keeps for the SQL
 * @param minOffsets the read's fence: per partition, an offset of the collection's topic that the
 *     partition's shard must have applied (its next offset past it) before the fragment reads it;
 *     a partition not listed is read as it is (empty: no wait)
 * @param fenceWaitMillis how long the leaf may wait for {@code minOffsets} before it fails the
 *     fragment ({@link FragmentException.Kind#TIMEOUT}); 0 = the leaf's default; the deadline
 *     bounds the wait in any case
 */
public record FragmentRequest(String queryId, String collection, String sql,
    List<Integer> partitions, long schemaVersion, List<FieldStats> fields, long deadlineMillis,
    List<FragmentParameter> parameters, Map<Integer, Long> minOffsets, long fenceWaitMillis) {

  public FragmentRequest {
    parameters = parameters == null ? List.of() : List.copyOf(parameters);
    minOffsets = minOffsets == null ? Map.of() : Collections.unmodifiableMap(
        new TreeMap<>(minOffsets));
  }

  /** A request that waits for no fence. */
  public FragmentRequest(String queryId, String collection, String sql, List<Integer> partitions,
      long schemaVersion, List<FieldStats> fields, long deadlineMillis,
      List<FragmentParameter> parameters) {
    this(queryId, collection, sql, partitions, schemaVersion, fields, deadlineMillis, parameters,
        Map.of(), 0);
  }

  /** A request whose SQL has no parameter markers. */
  public FragmentRequest(String queryId, String collection, String sql, List<Integer> partitions,
      long schemaVersion, List<FieldStats> fields, long deadlineMillis) {
    this(queryId, collection, sql, partitions, schemaVersion, fields, deadlineMillis, List.of());
  }

  /** This request for other partitions (routed again). */
  public FragmentRequest withPartitions(List<Integer> other) {
    return new FragmentRequest(queryId, collection, sql, List.copyOf(other), schemaVersion, fields,
        deadlineMillis, parameters, minOffsets, fenceWaitMillis);
  }

  /** This request waiting for {@code fence} (per partition, the offset to have applied). */
  public FragmentRequest withMinOffsets(Map<Integer, Long> fence, long waitMillis) {
    return new FragmentRequest(queryId, collection, sql, partitions, schemaVersion, fields,
        deadlineMillis, parameters, fence, waitMillis);
  }

  /** This request with other field statistics. */
  FragmentRequest withFields(List<FieldStats> other) {
    return new FragmentRequest(queryId, collection, sql, partitions, schemaVersion, other,
        deadlineMillis, parameters, minOffsets, fenceWaitMillis);
  }

  /** The Flight ticket ({@link FragmentTicket}). */
  public byte[] encode() {
    return FragmentTicket.encode(this);
  }

  /** @throws IllegalArgumentException when the bytes are not a ticket */
  public static FragmentRequest decode(byte[] bytes) {
    return FragmentTicket.decode(bytes);
  }
}
