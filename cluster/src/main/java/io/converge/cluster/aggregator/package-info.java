/**
 * The aggregator role: an Avatica server whose schema is the cluster's collections, planning SQL
 * with a gather of fragments run by the leaves, and taking writes into the collections' topics.
 */
package io.converge.cluster.aggregator;
