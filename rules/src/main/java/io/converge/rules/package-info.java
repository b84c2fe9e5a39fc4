/**
 * Converge's planner rules: filter, projection, aggregate and sort push-down into the converged
 * index (inverted-index lookups, column segments, counts from the live bitmaps), chosen by cost
 * from the catalog's statistics. They arrive with the planner-rules issue; until then this
 * module holds only the empty {@link io.converge.rules.ConvergeRules#RULES} list, and the adapter
 * runs every query as a column-pruning full scan with Calcite's own operators above it.
 */
package io.converge.rules;
