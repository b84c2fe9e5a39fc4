package io.converge.rules;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.query.Aggregation;
import io.converge.storage.query.Predicate;
import java.util.List;

/**
 * One storage call, as planned: which rows (all, a predicate's, some {@code _id}s'), and either
 * the columns to read or a column aggregate. Handed to {@link ConvergeMethods#query} by the
 * generated code.
 *
 * @param table the table (one schema version of a collection)
 * @param columns columns read by a scan, lookup or index filter (empty for an aggregate)
 * @param predicate rows for which this is TRUE, or null for no predicate
 * @param ids rows with these {@code _id}s (strings, or {@link IdParam}s bound when the statement
 *     executes), or null for no lookup
 * @param aggregation column aggregate, or null
 * @param outputs how each aggregate result column is converted (empty without aggregation)
 * @param scalar true when each row is a single value, not an array (one output column)
 */
public record ConvergeQuery(ConvergeTable table, List<ConvergeColumn> columns, Predicate predicate,
    List<?> ids, Aggregation aggregation, List<AggregateOutput> outputs, boolean scalar) {

  public ConvergeQuery withScalar(boolean s) {
    return new ConvergeQuery(table, columns, predicate, ids, aggregation, outputs, s);
  }

  /** How a stored aggregate result becomes a value of the SQL result column. */
  public enum OutputKind {
    /** A group key or MIN/MAX: converted like the column's values. */
    VALUE,
    /** COUNT: a Long. */
    COUNT,
    /** SUM of a BIGINT column: a Long, null when nothing was summed. */
    SUM_LONG,
    /** SUM of a DOUBLE column: a Double, null when nothing was summed. */
    SUM_DOUBLE,
    /** $SUM0 of a BIGINT column: 0 when nothing was summed. */
    SUM0_LONG,
    /** $SUM0 of a DOUBLE column: 0.0 when nothing was summed. */
    SUM0_DOUBLE
  }

  /** A dynamic parameter ({@code _id = ?}) whose value is read from the statement at execution. */
  public record IdParam(int index) {
    @Override
    public String toString() {
      return "?" + index;
    }
  }

  /** One aggregate result column: its conversion and, for VALUE, its source column. */
  public record AggregateOutput(OutputKind kind, ConvergeColumn column) {}
}
