package io.converge.rules;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.RelCollations;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.schema.AggregateFunction;
import org.apache.calcite.schema.impl.AggregateFunctionImpl;
import org.apache.calcite.sql.SqlAggFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlUserDefinedAggFunction;
import org.apache.calcite.util.Optionality;
import org.immutables.value.Value;

/**
 * Rewrites {@code PERCENTILE_CONT(f)} and {@code PERCENTILE_DISC(f) WITHIN GROUP (ORDER BY x
 * [DESC])} over a DOUBLE {@code x} into the exact aggregates of {@link Percentiles}, which the
 * enumerable convention runs; without it the planner finds no implementation at all. Calcite types
 * the result as {@code x}, so over an integer column an interpolated answer would be cut: those
 * calls are left alone (reported as not supported; {@code ORDER BY CAST(x AS DOUBLE)} runs).
 */
@Value.Enclosing
public class ConvergePercentileRule extends RelRule<ConvergePercentileRule.Config> {

  private static final SqlAggFunction CONT = function("PERCENTILE_CONT", Percentiles.Cont.class);
  private static final SqlAggFunction CONT_DESC =
      function("PERCENTILE_CONT_DESC", Percentiles.ContDesc.class);
  private static final SqlAggFunction DISC = function("PERCENTILE_DISC", Percentiles.Disc.class);
  private static final SqlAggFunction DISC_DESC =
      function("PERCENTILE_DISC_DESC", Percentiles.DiscDesc.class);

  /** Creates a ConvergePercentileRule. */
  protected ConvergePercentileRule(Config config) {
    super(config);
  }

  private static SqlAggFunction function(String name, Class<?> implementation) {
    AggregateFunction f = AggregateFunctionImpl.create(implementation);
    return new SqlUserDefinedAggFunction(new SqlIdentifier(name, SqlParserPos.ZERO),
        SqlKind.OTHER_FUNCTION, ReturnTypes.DOUBLE_NULLABLE, InferTypes.FIRST_KNOWN,
        OperandTypes.operandMetadata(List.of(SqlTypeFamily.NUMERIC, SqlTypeFamily.NUMERIC),
            types -> List.of(types.createSqlType(SqlTypeName.DOUBLE),
                types.createSqlType(SqlTypeName.DOUBLE)),
            i -> i == 0 ? "value" : "fraction", i -> false),
        f, false, false, Optionality.FORBIDDEN);
  }

  private static boolean applies(LogicalAggregate aggregate) {
    for (AggregateCall call : aggregate.getAggCallList()) {
      if (replacement(aggregate, call) != null) {
        return true;
      }
    }
    return false;
  }

  /** The aggregate function replacing {@code call}, or null when it stays. */
  private static SqlAggFunction replacement(LogicalAggregate aggregate, AggregateCall call) {
    SqlKind kind = call.getAggregation().getKind();
    if (kind != SqlKind.PERCENTILE_CONT && kind != SqlKind.PERCENTILE_DISC
        || call.isDistinct() || call.getArgList().size() != 1
        || call.getCollation().getFieldCollations().size() != 1) {
      return null;
    }
    RelFieldCollation order = call.getCollation().getFieldCollations().get(0);
    RelDataType x = aggregate.getInput().getRowType().getFieldList()
        .get(order.getFieldIndex()).getType();
    boolean descending = order.direction.isDescending();
    // Calcite types the result as the ORDER BY column; only DOUBLE keeps the exact answer
    if (x.getSqlTypeName() != SqlTypeName.DOUBLE
        || call.getType().getSqlTypeName() != SqlTypeName.DOUBLE) {
      return null;
    }
    if (kind == SqlKind.PERCENTILE_CONT) {
      return descending ? CONT_DESC : CONT;
    }
    return descending ? DISC_DESC : DISC;
  }

  @Override
  public void onMatch(RelOptRuleCall ruleCall) {
    LogicalAggregate aggregate = ruleCall.rel(0);
    List<AggregateCall> calls = new ArrayList<>();
    for (AggregateCall call : aggregate.getAggCallList()) {
      SqlAggFunction f = replacement(aggregate, call);
      if (f == null) {
        calls.add(call);
        continue;
      }
      int value = call.getCollation().getFieldCollations().get(0).getFieldIndex();
      calls.add(AggregateCall.create(f, false, false, false, List.of(),
          List.of(value, call.getArgList().get(0)), call.filterArg, null, RelCollations.EMPTY,
          call.getType(), call.getName()));
    }
    ruleCall.transformTo(aggregate.copy(aggregate.getTraitSet(), aggregate.getInput(),
        aggregate.getGroupSet(), aggregate.getGroupSets(), calls));
  }

  /** Rule configuration. */
  @Value.Immutable
  public interface Config extends RelRule.Config {
    Config DEFAULT = ImmutableConvergePercentileRule.Config.of()
        .withDescription("ConvergePercentileRule")
        .as(Config.class)
        .withOperandFor(LogicalAggregate.class);

    @Override
    default ConvergePercentileRule toRule() {
      return new ConvergePercentileRule(this);
    }

    /** An aggregate of {@code aggregateClass} with a percentile call this rule can replace. */
    default Config withOperandFor(Class<? extends Aggregate> aggregateClass) {
      return withOperandSupplier(b0 -> b0.operand(aggregateClass)
          .predicate(a -> a instanceof LogicalAggregate l && applies(l))
          .anyInputs())
          .as(Config.class);
    }
  }
}
