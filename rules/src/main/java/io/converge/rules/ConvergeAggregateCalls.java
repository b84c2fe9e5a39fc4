package io.converge.rules;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeColumnCapabilities;
import io.converge.adapter.ConvergeColumnType;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.query.Aggregation;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Translates Calcite aggregate calls (COUNT, SUM, $SUM0, MIN, MAX; AVG arrives reduced to SUM and
 * COUNT) of one table's columns into storage's {@link Aggregation.Call}s, with the conversion of
 * each result back to Calcite ({@link ConvergeQuery.AggregateOutput}) and its EXPLAIN text. Used by
 * the column aggregate ({@link ConvergeAggregateRule}) and the star aggregate
 * ({@link ConvergeStarAggregate}), in the order of their calls.
 *
 * <p>An argument is a column of the table, or {@code a + b}, {@code a - b} or {@code a * b} of two
 * numeric columns ({@link #arithmetic}), which storage computes per row.
 */
final class ConvergeAggregateCalls {
  private final ConvergeTable table;
  private final List<Aggregation.Call> calls = new ArrayList<>();
  private final List<ConvergeQuery.AggregateOutput> outputs = new ArrayList<>();
  private final List<String> texts = new ArrayList<>();

  ConvergeAggregateCalls(ConvergeTable table) {
    this.table = table;
  }

  List<Aggregation.Call> calls() {
    return calls;
  }

  List<ConvergeQuery.AggregateOutput> outputs() {
    return outputs;
  }

  List<String> texts() {
    return texts;
  }

  /**
   * Whether a call has a shape storage can fold at all: no FILTER, WITHIN GROUP or other extra
   * operands, exact, at most one argument.
   */
  static boolean plain(AggregateCall ac) {
    return ac.filterArg < 0 && ac.collation.getFieldCollations().isEmpty() && ac.rexList.isEmpty()
        && !ac.isApproximate() && ac.getArgList().size() <= 1;
  }

  /**
   * Adds a call over a column ({@code column} null: no argument, {@code COUNT(*)}); false when
   * storage cannot compute it as Calcite would. DISTINCT is taken by COUNT of a groupable column.
   */
  boolean add(AggregateCall ac, ConvergeColumn column) {
    String arg = column == null ? "*" : column.name();
    switch (ac.getAggregation().getKind()) {
      case COUNT -> {
        if (ac.isDistinct()
            && (column == null || !ConvergeColumnCapabilities.groupable(table, column))) {
          return false;
        }
        calls.add(new Aggregation.Call(Aggregation.Kind.COUNT,
            column == null ? null : column.path(), ac.isDistinct()));
        outputs.add(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.COUNT, null));
        texts.add("COUNT(" + (ac.isDistinct() ? "DISTINCT " : "") + arg + ")");
      }
      case SUM, SUM0 -> {
        if (column == null || ac.isDistinct()
            || !ConvergeColumnCapabilities.summable(table, column)) {
          return false;
        }
        boolean sum0 = ac.getAggregation().getKind() == SqlKind.SUM0;
        calls.add(new Aggregation.Call(Aggregation.Kind.SUM, column.path(), false));
        outputs.add(new ConvergeQuery.AggregateOutput(
            sumKind(sum0, column.type() == ConvergeColumnType.BIGINT), null));
        texts.add((sum0 ? "$SUM0(" : "SUM(") + arg + ")");
      }
      case MIN, MAX -> {
        if (column == null || !ConvergeColumnCapabilities.orderable(table, column)) {
          return false;
        }
        boolean min = ac.getAggregation().getKind() == SqlKind.MIN;
        calls.add(new Aggregation.Call(min ? Aggregation.Kind.MIN : Aggregation.Kind.MAX,
            column.path(), false));
        outputs.add(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.VALUE, column));
        texts.add((min ? "MIN(" : "MAX(") + arg + ")");
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * Adds a call over {@code a}, the translation of {@code e} ({@link #arithmetic}, over the table's
   * columns); false when it cannot be pushed (DISTINCT, or not COUNT / SUM / MIN / MAX).
   */
  boolean addComputed(AggregateCall ac, Aggregation.Arithmetic a, RexNode e) {
    if (ac.isDistinct()) {
      return false;
    }
    boolean isLong = e.getType().getSqlTypeName() == SqlTypeName.BIGINT;
    String text = describe(a);
    switch (ac.getAggregation().getKind()) {
      case COUNT -> {
        calls.add(Aggregation.Call.over(Aggregation.Kind.COUNT, a));
        outputs.add(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.COUNT, null));
        texts.add("COUNT(" + text + ")");
      }
      case SUM, SUM0 -> {
        boolean sum0 = ac.getAggregation().getKind() == SqlKind.SUM0;
        calls.add(Aggregation.Call.over(Aggregation.Kind.SUM, a));
        outputs.add(new ConvergeQuery.AggregateOutput(sumKind(sum0, isLong), null));
        texts.add((sum0 ? "$SUM0(" : "SUM(") + text + ")");
      }
      case MIN, MAX -> {
        boolean min = ac.getAggregation().getKind() == SqlKind.MIN;
        // the values convert back as a column of the expression's type would
        ConvergeColumn type = new ConvergeColumn(e.toString(), e.toString(),
            isLong ? ConvergeColumnType.BIGINT : ConvergeColumnType.DOUBLE, null, true);
        calls.add(Aggregation.Call.over(min ? Aggregation.Kind.MIN : Aggregation.Kind.MAX, a));
        outputs.add(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.VALUE, type));
        texts.add((min ? "MIN(" : "MAX(") + text + ")");
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code a + b}, {@code a - b} or {@code a * b} of two numeric single-type columns (input refs
   * are the table's column indexes), typed BIGINT or DOUBLE by Calcite (storage computes it per
   * row the same way), or null.
   */
  static Aggregation.Arithmetic arithmetic(ConvergeTable table, RexNode e) {
    if (!(e instanceof RexCall call) || call.getOperands().size() != 2) {
      return null;
    }
    Aggregation.Arithmetic.Op op = switch (call.getKind()) {
      case PLUS -> Aggregation.Arithmetic.Op.PLUS;
      case MINUS -> Aggregation.Arithmetic.Op.MINUS;
      case TIMES -> Aggregation.Arithmetic.Op.TIMES;
      default -> null;
    };
    SqlTypeName type = e.getType().getSqlTypeName();
    if (op == null || (type != SqlTypeName.BIGINT && type != SqlTypeName.DOUBLE)) {
      return null;
    }
    if (!(call.getOperands().get(0) instanceof RexInputRef l)
        || !(call.getOperands().get(1) instanceof RexInputRef r)) {
      return null;
    }
    ConvergeColumn left = table.columns().get(l.getIndex());
    ConvergeColumn right = table.columns().get(r.getIndex());
    if (!ConvergeColumnCapabilities.summable(table, left)
        || !ConvergeColumnCapabilities.summable(table, right)) {
      return null;
    }
    boolean bothLong = left.type() == ConvergeColumnType.BIGINT
        && right.type() == ConvergeColumnType.BIGINT;
    if (bothLong != (type == SqlTypeName.BIGINT)) {
      return null;
    }
    return new Aggregation.Arithmetic(op, left.path(), right.path());
  }

  /** How a SUM / $SUM0 of BIGINT or DOUBLE values reaches Calcite. */
  private static ConvergeQuery.OutputKind sumKind(boolean sum0, boolean isLong) {
    return sum0
        ? (isLong ? ConvergeQuery.OutputKind.SUM0_LONG : ConvergeQuery.OutputKind.SUM0_DOUBLE)
        : (isLong ? ConvergeQuery.OutputKind.SUM_LONG : ConvergeQuery.OutputKind.SUM_DOUBLE);
  }

  private static String describe(Aggregation.Arithmetic a) {
    String op = switch (a.op()) {
      case PLUS -> " + ";
      case MINUS -> " - ";
      case TIMES -> " * ";
    };
    return a.left() + op + a.right();
  }
}
