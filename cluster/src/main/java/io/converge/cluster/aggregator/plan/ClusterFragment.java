package io.converge.cluster.aggregator.plan;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.config.NullCollation;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.prepare.RelOptTableImpl;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.dialect.CalciteSqlDialect;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.apache.calcite.sql.util.SqlString;

/**
 * What a gather sends to the leaves, derived from its (planned, concrete) input: the fragment SQL
 * over the bare collection name, its parameters, and the partitions to ask: all of them or only
 * those owning the {@code _id} keys a filter names, known when planning for literal keys and at
 * execution for parameters.
 *
 * @param table the collection's table
 * @param sql the fragment SQL, with a {@code ?} marker per parameter use
 * @param params what each marker is, and the keys that route at execution
 * @param partitions the partitions to ask, ascending, as known when planning (when some keys are
 *     parameters, the gather chooses the partitions per execution instead)
 * @param keys the {@code _id} keys the rows must have, or null
 */
public record ClusterFragment(ClusterTable table, String sql, ClusterParams params,
    List<Integer> partitions, ClusterIdKeys keys) {

  /**
   * The dialect of fragment SQL: Calcite's, with identifiers always quoted in double quotes and
   * kept as they are, as a leaf's Converge connection (unquoted casing unchanged, case
   * insensitive, nulls high) reads them back.
   */
  public static final SqlDialect DIALECT = new CalciteSqlDialect(CalciteSqlDialect.DEFAULT_CONTEXT
      .withIdentifierQuoteString("\"")
      .withUnquotedCasing(Casing.UNCHANGED)
      .withQuotedCasing(Casing.UNCHANGED)
      .withCaseSensitive(false)
      .withNullCollation(NullCollation.HIGH)) {
    @Override
    public boolean identifierNeedsQuote(String val) {
      return true;
    }
  };

  /** The fragment of a gather whose input tree is planned (no subsets left). */
  public static ClusterFragment of(RelNode input, ClusterMerge merge) {
    ClusterTableScan scan = scanOf(input);
    RelNode render = renderTree(input, scan);
    RexBuilder rex = input.getCluster().getRexBuilder();
    switch (merge.kind()) {
    case AGGREGATE -> render = LogicalAggregate.create(render, List.of(), merge.groupSet(), null,
        partialCalls(merge.aggCalls(), input.getCluster().getTypeFactory()));
    case LIMIT, TOP_N -> render = LogicalSort.create(render, merge.collation(), null,
        rex.makeExactLiteral(BigDecimal.valueOf(merge.shardFetch())));
    default -> { }
    }
    SqlString text = new RelToSqlConverter(DIALECT).visitRoot(render).asStatement()
        .toSqlString(DIALECT);
    String sql = text.getSql().replace('\n', ' ');
    int count = scan.clusterTable().entry().partitions();
    ClusterIdKeys keys = ClusterIdKeys.of(input, input.getCluster().getMetadataQuery());
    List<Integer> partitions = new ArrayList<>();
    if (keys == null) {
      for (int p = 0; p < count; p++) {
        partitions.add(p);
      }
    } else {
      partitions.addAll(keys.partitions(count, i -> null));
    }
    ClusterParams params = params(text, render, keys != null && keys.atExecution() ? keys : null,
        count);
    return new ClusterFragment(scan.clusterTable(), sql, params, List.copyOf(partitions), keys);
  }

  /** The parameters of the rendered SQL, marker by marker. */
  private static ClusterParams params(SqlString text, RelNode render, ClusterIdKeys keys,
      int count) {
    List<Integer> order = text.getDynamicParameters();
    if ((order == null || order.isEmpty()) && keys == null) {
      return ClusterParams.NONE;
    }
    Map<Integer, SqlTypeName> types = new HashMap<>();
    collectParams(render, types);
    List<ClusterParams.Marker> markers = new ArrayList<>();
    for (int index : order == null ? List.<Integer>of() : order) {
      markers.add(new ClusterParams.Marker(index, types.get(index)));
    }
    return new ClusterParams(markers, keys, count);
  }

  private static void collectParams(RelNode rel, Map<Integer, SqlTypeName> types) {
    rel.accept(new RexShuttle() {
      @Override
      public RexNode visitDynamicParam(RexDynamicParam p) {
        types.put(p.getIndex(), p.getType().getSqlTypeName());
        return p;
      }
    });
    rel.getInputs().forEach(in -> collectParams(in, types));
  }

  /**
   * The calls as shards compute them: {@code $SUM0} as a plain SUM (rendered, $SUM0 would become
   * {@code COALESCE(SUM(x), 0)}, which needs no leaf to type it back); the gather makes a null
   * sum 0 again.
   */
  private static List<AggregateCall> partialCalls(List<AggregateCall> calls,
      RelDataTypeFactory types) {
    List<AggregateCall> out = new ArrayList<>(calls.size());
    for (AggregateCall c : calls) {
      out.add(c.getAggregation().getKind() != SqlKind.SUM0 ? c
          : AggregateCall.create(SqlStdOperatorTable.SUM, false, false, false, c.rexList,
              c.getArgList(), -1, null, c.collation,
              types.createTypeWithNullability(c.getType(), true), c.getName()));
    }
    return out;
  }

  /** How EXPLAIN names the partitions. */
  public String partitionsText() {
    int count = table.entry().partitions();
    return keys == null ? "all " + count : keys.text(count);
  }

  private static ClusterTableScan scanOf(RelNode rel) {
    if (rel instanceof ClusterTableScan s) {
      return s;
    }
    if (rel.getInputs().size() != 1) {
      throw new IllegalStateException("not a fragment: " + RelOptUtil.toString(rel));
    }
    return scanOf(rel.getInput(0));
  }

  /** The tree with its scan naming the table by the collection alone, as a leaf knows it. */
  private static RelNode renderTree(RelNode rel, ClusterTableScan scan) {
    if (rel == scan) {
      Expression none = null;
      return LogicalTableScan.create(rel.getCluster(), RelOptTableImpl.create(null,
          rel.getRowType(), List.of(scan.clusterTable().collection()), none), List.of());
    }
    RelNode copy = rel.copy(rel.getTraitSet(), List.of(renderTree(rel.getInput(0), scan)));
    RexBuilder rex = rel.getCluster().getRexBuilder();
    return copy.accept(new UnpaddedLiterals(rex)).accept(new TypedParams(rex));
  }

  /**
   * Casts each parameter to the type the aggregator validated it with, so that the leaf, which
   * infers a {@code ?}'s type from the fragment SQL alone, gets that type (a bare {@code ?} in a
   * select list or under arithmetic has none, or another). A parameter compared with a column of
   * its own type stays bare: the leaf infers the same type, and its index rules take
   * {@code column = ?} (with a cast around the {@code ?} they would not). So does one already
   * cast to its own type.
   */
  private static final class TypedParams extends RexShuttle {
    private final RexBuilder rex;

    TypedParams(RexBuilder rex) {
      this.rex = rex;
    }

    @Override
    public RexNode visitCall(RexCall call) {
      if (call.getKind().belongsTo(SqlKind.COMPARISON) && call.getOperands().size() == 2) {
        RexNode a = call.getOperands().get(0);
        RexNode b = call.getOperands().get(1);
        if (a instanceof RexInputRef && b instanceof RexDynamicParam && sameType(a, b)
            || b instanceof RexInputRef && a instanceof RexDynamicParam && sameType(a, b)) {
          return call;
        }
      }
      if (call.getKind() == SqlKind.CAST && call.getOperands().get(0) instanceof RexDynamicParam p
          && sameType(call, p)) {
        return call;
      }
      return super.visitCall(call);
    }

    private boolean sameType(RexNode a, RexNode b) {
      return SqlTypeUtil.equalSansNullability(rex.getTypeFactory(), a.getType(), b.getType());
    }

    @Override
    public RexNode visitDynamicParam(RexDynamicParam p) {
      return rex.makeAbstractCast(p.getType(), p, false);
    }
  }

  /**
   * Rewrites CHAR literals as VARCHAR ones of their own text. Calcite widens the literals of a
   * range or IN list to one CHAR(n), which SQL text can only spell padded with spaces ('new' in
   * {@code BETWEEN 'new' AND 'paid-late'} becomes {@code 'new      '}); read back by a leaf, the
   * padded text is a different string and the range loses its bound. Inside a plan the literal
   * keeps its own text, so one process compares against 'new'; so must the fragment.
   */
  private static final class UnpaddedLiterals extends RexShuttle {
    private final RexBuilder rex;

    UnpaddedLiterals(RexBuilder rex) {
      this.rex = rex;
    }

    @Override
    public RexNode visitCall(RexCall call) {
      RexNode out = call.getKind() == SqlKind.SEARCH
          ? RexUtil.expandSearch(rex, null, call).accept(this) : super.visitCall(call);
      // an expanded range inside an AND or OR: keep the condition flat, as filters must be
      return RexUtil.flatten(rex, out);
    }

    @Override
    public RexNode visitLiteral(RexLiteral literal) {
      if (literal.getType().getSqlTypeName() != SqlTypeName.CHAR || literal.isNull()) {
        return literal;
      }
      String text = literal.getValueAs(String.class);
      RelDataType varchar = rex.getTypeFactory().createTypeWithNullability(
          rex.getTypeFactory().createSqlType(SqlTypeName.VARCHAR, Math.max(1, text.length())),
          literal.getType().isNullable());
      return rex.makeLiteral(text, varchar, false);
    }
  }
}
