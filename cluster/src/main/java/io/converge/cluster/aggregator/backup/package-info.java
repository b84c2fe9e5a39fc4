/**
 * Backups of a cluster: the aggregator's {@code POST /v1/admin/backup} (the server's admin API,
 * {@link io.converge.server.admin.AdminHandler}, over this package's taker) asks one serving replica
 * of every partition for a checkpoint ({@link io.converge.cluster.aggregator.backup.ClusterBackup})
 * and writes the manifest that says which checkpoint holds which partition at which offset.
 */
package io.converge.cluster.aggregator.backup;
