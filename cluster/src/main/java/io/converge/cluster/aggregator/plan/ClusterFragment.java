package io.converge.cluster.aggregator.plan;

import io.converge.cluster.log.KeyPartitioner;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.config.NullCollation;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.prepare.RelOptTableImpl;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
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
import org.apache.calcite.util.NlsString;
import org.apache.calcite.util.Sarg;

/**
 * What a gather sends to the leaves, derived from its (planned, concrete) input: the fragment SQL
 * over the bare collection name and the partitions to ask, all of them or only those owning the
 * {@code _id} keys a filter names.
 *
 * @param table the collection's table
 * @param sql the fragment SQL
 * @param partitions the partitions to ask, ascending
 * @param routed whether {@code partitions} came from {@code _id} keys
 */
public record ClusterFragment(ClusterTable table, String sql, List<Integer> partitions,
    boolean routed) {

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
    String sql = new RelToSqlConverter(DIALECT).visitRoot(render).asStatement()
        .toSqlString(DIALECT).getSql().replace('\n', ' ');
    int count = scan.clusterTable().entry().partitions();
    Set<String> keys = idKeys(input, input.getCluster().getMetadataQuery());
    List<Integer> partitions = new ArrayList<>();
    if (keys == null) {
      for (int p = 0; p < count; p++) {
        partitions.add(p);
      }
    } else {
      TreeSet<Integer> owning = new TreeSet<>();
      for (String k : keys) {
        owning.add(KeyPartitioner.partitionOf(k, count));
      }
      // No key can match: one shard still answers, so a scalar aggregate gets its one row.
      partitions.addAll(owning.isEmpty() ? List.of(0) : owning);
    }
    return new ClusterFragment(scan.clusterTable(), sql, List.copyOf(partitions), keys != null);
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
    return routed ? partitions + " of " + count + " by _id" : "all " + count;
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
    return copy.accept(new UnpaddedLiterals(rel.getCluster().getRexBuilder()));
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

  /** The {@code _id} values the rows must have (null: any), from the tree's filters. */
  static Set<String> idKeys(RelNode rel, RelMetadataQuery mq) {
    if (rel instanceof Filter f) {
      Set<String> below = idKeys(f.getInput(), mq);
      Set<String> here = null;
      for (RexNode c : RelOptUtil.conjunctions(f.getCondition())) {
        here = intersect(here, keysOf(c, f.getInput(), mq));
      }
      return intersect(here, below);
    }
    if (rel instanceof Project p) {
      return idKeys(p.getInput(), mq);
    }
    return null;
  }

  private static Set<String> intersect(Set<String> a, Set<String> b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    Set<String> out = new HashSet<>(a);
    out.retainAll(b);
    return out;
  }

  /** The keys one conjunct allows ({@code _id = 'k'}, {@code _id IN (...)}), or null. */
  private static Set<String> keysOf(RexNode c, RelNode input, RelMetadataQuery mq) {
    if (!(c instanceof RexCall call)) {
      return null;
    }
    if (call.getKind() == SqlKind.OR) {
      Set<String> union = new HashSet<>();
      for (RexNode d : call.getOperands()) {
        Set<String> k = keysOf(d, input, mq);
        if (k == null) {
          return null;
        }
        union.addAll(k);
      }
      return union;
    }
    if (call.getKind() == SqlKind.EQUALS) {
      RexNode a = call.getOperands().get(0);
      RexNode b = call.getOperands().get(1);
      if (a instanceof RexLiteral) {
        RexNode t = a;
        a = b;
        b = t;
      }
      if (isId(a, input, mq) && b instanceof RexLiteral lit && !lit.isNull()) {
        String v = lit.getValueAs(String.class);
        return v == null ? null : Set.of(v);
      }
      return null;
    }
    if (call.getKind() == SqlKind.SEARCH && isId(call.getOperands().get(0), input, mq)
        && call.getOperands().get(1) instanceof RexLiteral lit) {
      Sarg<?> sarg = lit.getValueAs(Sarg.class);
      if (sarg == null || !sarg.isPoints() || sarg.nullAs != org.apache.calcite.rex.RexUnknownAs.UNKNOWN
          && sarg.nullAs != org.apache.calcite.rex.RexUnknownAs.FALSE) {
        return null;
      }
      Set<String> out = new HashSet<>();
      for (var range : sarg.rangeSet.asRanges()) {
        Object v = range.lowerEndpoint();
        if (v instanceof NlsString s) {
          out.add(s.getValue());
        } else if (v instanceof String s) {
          out.add(s);
        } else {
          return null;
        }
      }
      return out;
    }
    return null;
  }

  private static boolean isId(RexNode node, RelNode input, RelMetadataQuery mq) {
    if (!(node instanceof RexInputRef ref)) {
      return false;
    }
    RelColumnOrigin o = mq.getColumnOrigin(input, ref.getIndex());
    if (o == null || o.isDerived()) {
      return false;
    }
    ClusterTable t = o.getOriginTable().unwrap(ClusterTable.class);
    return t != null && t.idColumn() >= 0 && t.idColumn() == o.getOriginColumnOrdinal();
  }
}
