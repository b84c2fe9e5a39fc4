package io.converge.rules;

import io.converge.storage.query.Predicate;
import java.util.List;

/**
 * What an index filter or row lookup selects: an optional list of {@code _id}s (pk lookups) and an
 * optional storage predicate (inverted index), both exactly equal to the SQL conjuncts they were
 * translated from.
 *
 * @param predicate storage predicate, or null
 * @param ids {@code _id} values to look up (strings, or {@link ConvergeQuery.IdParam}s bound at
 *     execution), or null
 * @param text the translated condition for EXPLAIN, in column names
 * @param estimatedRows rows the storage layer expects to select (for costs)
 */
public record ConvergeCondition(Predicate predicate, List<?> ids, String text,
    double estimatedRows) {}
