/**
 * The aggregator's distributed planning and gather.
 *
 * <p>Connections: {@link io.converge.cluster.aggregator.plan.ClusterJdbc#url} over a
 * {@link io.converge.cluster.aggregator.plan.ClusterRuntime} registered in the process (view +
 * transport), with the one-process connections' settings. Tables are the catalog's collections
 * ({@link io.converge.cluster.aggregator.plan.ClusterTable}), typed from the leaves' merged field
 * statistics exactly as one node types the same documents.
 *
 * <p>Planning: a scan is a {@link io.converge.cluster.aggregator.plan.ClusterTableScan} in the
 * CLUSTER convention; rules ({@link io.converge.cluster.aggregator.plan.ClusterRules}) add the
 * row-wise filters and projections each shard can apply alone, and a
 * {@link io.converge.cluster.aggregator.plan.ClusterGather} takes the tree to Calcite's
 * enumerable convention, merging the leaves' rows: as they come, by LIMIT with early stop, by
 * top-N, or by merging partial aggregates (COUNT, SUM, MIN, MAX; AVG as SUM / COUNT;
 * COUNT(DISTINCT) as a pushed GROUP BY on the key). Joins, windows, sub-queries and set
 * operations run at the aggregator above the gathers. The fragment is SQL rendered with
 * Calcite's {@code RelToSqlConverter} over the bare collection name
 * ({@link io.converge.cluster.aggregator.plan.ClusterFragment}), with a {@code ?} marker per
 * use of a prepared statement's parameter, whose values each execution sends along
 * ({@link io.converge.cluster.aggregator.plan.ClusterParams}); filters on {@code _id} ask only the
 * partitions owning the keys, chosen when planning for literals and at execution for parameters
 * ({@link io.converge.cluster.aggregator.plan.ClusterIdKeys}). {@code EXPLAIN PLAN FOR} shows each
 * gather with its fragment, partitions and merge.
 *
 * <p>Connection property {@code distributed} (default true): {@code distributed=false} pushes
 * nothing but the scan (each leaf returns its raw rows and the aggregator plans everything), so
 * that answers can be checked against the pushed plans.
 *
 * <p>Execution: the gather asks every leaf at once, one reader thread per leaf into a bounded
 * queue; a failing fragment becomes a one-line error naming the leaf and its partitions; the
 * statement's query timeout (else an hour) is the fragments' deadline.
 */
package io.converge.cluster.aggregator.plan;
