package io.converge.rules;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeColumnType;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.exec.TopNSelector;
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
 * @param order sort keys of a top-N (empty: none); the rows are the first {@code limit} rows in
 *     this order, ties by rid, produced in rid order (a Calcite sort above orders them)
 * @param limit at most this many rows (the first ones in rid order without {@code order}), or -1
 *     for no limit
 */
public record ConvergeQuery(ConvergeTable table, List<ConvergeColumn> columns, Predicate predicate,
    List<?> ids, Aggregation aggregation, List<AggregateOutput> outputs, boolean scalar,
    List<TopNSelector.Key> order, long limit) {

  /** A query without a limit. */
  public ConvergeQuery(ConvergeTable table, List<ConvergeColumn> columns, Predicate predicate,
      List<?> ids, Aggregation aggregation, List<AggregateOutput> outputs, boolean scalar) {
    this(table, columns, predicate, ids, aggregation, outputs, scalar, List.of(), -1);
  }

  public ConvergeQuery withScalar(boolean s) {
    return new ConvergeQuery(table, columns, predicate, ids, aggregation, outputs, s, order,
        limit);
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

  /**
   * A dynamic parameter used as a predicate value ({@code n = ?}, {@code x > ?}): bound at each
   * execution by {@link ConvergeMethods#bind}, which converts the statement's value to the storage
   * value of {@code type} when that is exact and otherwise drops the comparison (selecting a
   * superset); the conjunct also stays in a Calcite filter above, which decides. An
   * {@code exact} parameter (see {@link ExactParameters}) has no filter above: a NULL selects
   * nothing and a value that does not convert fails the execution.
   *
   * @param index the parameter's index ({@code ?0} is the first)
   * @param type the column's type, which fixes the conversion
   * @param millisDelta for TIMESTAMP columns, milliseconds added to the bound value (1 for the
   *     exclusive upper end of a millisecond), else 0
   * @param exact whether the comparison is answered by storage alone
   */
  public record Param(int index, ConvergeColumnType type, long millisDelta, boolean exact) {
    @Override
    public String toString() {
      return "?" + index + (millisDelta == 0 ? "" : " + " + millisDelta + " ms");
    }
  }

  /** One aggregate result column: its conversion and, for VALUE, its source column. */
  public record AggregateOutput(OutputKind kind, ConvergeColumn column) {}
}
