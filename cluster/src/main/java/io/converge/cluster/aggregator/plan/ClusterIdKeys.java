package io.converge.cluster.aggregator.plan;

import io.converge.cluster.log.KeyPartitioner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUnknownAs;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.NlsString;
import org.apache.calcite.util.Sarg;

/**
 * The {@code _id} values a fragment's rows must have, from its filters ({@code _id = 'k'},
 * {@code _id IN (...)}, {@code _id = ?}, and ORs of them): literal keys known when planning and
 * parameters whose values are known only at execution. Only the partitions owning those keys
 * ({@link KeyPartitioner}) can hold such rows, so a gather asks only them.
 *
 * <p>The keys may be a superset of the rows' ids (conjuncts with parameters cannot be intersected
 * before their values are known, so one of them stands for all), never a subset.
 *
 * @param literals keys named in the SQL
 * @param params the indexes of VARCHAR parameters whose values are keys
 */
record ClusterIdKeys(Set<String> literals, List<Integer> params) {

  ClusterIdKeys {
    literals = Set.copyOf(literals);
    params = List.copyOf(params);
  }

  /** The keys the rows of {@code rel} must have, or null when any key may match. */
  static ClusterIdKeys of(RelNode rel, RelMetadataQuery mq) {
    if (rel instanceof Filter f) {
      ClusterIdKeys below = of(f.getInput(), mq);
      ClusterIdKeys here = null;
      for (RexNode c : RelOptUtil.conjunctions(f.getCondition())) {
        here = intersect(here, keysOf(c, f.getInput(), mq));
      }
      return intersect(here, below);
    }
    if (rel instanceof Project p) {
      return of(p.getInput(), mq);
    }
    return null;
  }

  /** Whether the partitions depend on parameter values. */
  boolean atExecution() {
    return !params.isEmpty();
  }

  /**
   * The partitions owning the keys, ascending; {@code paramValue} gives a parameter's value by
   * its index (a null value matches no key). When no key can match, partition 0 alone, so that a
   * scalar aggregate still gets its one row.
   */
  List<Integer> partitions(int count, IntFunction<Object> paramValue) {
    TreeSet<Integer> owning = new TreeSet<>();
    for (String k : literals) {
      owning.add(KeyPartitioner.partitionOf(k, count));
    }
    for (int p : params) {
      if (paramValue.apply(p) instanceof String k) {
        owning.add(KeyPartitioner.partitionOf(k, count));
      }
    }
    return owning.isEmpty() ? List.of(0) : List.copyOf(owning);
  }

  /** How EXPLAIN names the partitions of a collection with {@code count} of them. */
  String text(int count) {
    if (!atExecution()) {
      return partitions(count, i -> null) + " of " + count + " by _id";
    }
    List<String> keys = new ArrayList<>();
    literals.stream().sorted().forEach(k -> keys.add("'" + k.replace("'", "''") + "'"));
    params.forEach(p -> keys.add("?" + p));
    return "by _id " + (keys.size() == 1 ? "= " + keys.get(0)
        : "in (" + String.join(", ", keys) + ")") + " of " + count + ", at execution";
  }

  /**
   * Both conditions hold: literal keys intersect; with parameters either side bounds the rows, and
   * the one known at planning routes before execution.
   */
  private static ClusterIdKeys intersect(ClusterIdKeys a, ClusterIdKeys b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    if (a.atExecution() || b.atExecution()) {
      return a.atExecution() ? b : a;
    }
    Set<String> out = new HashSet<>(a.literals);
    out.retainAll(b.literals);
    return new ClusterIdKeys(out, List.of());
  }

  /** The keys one conjunct allows, or null. */
  private static ClusterIdKeys keysOf(RexNode c, RelNode input, RelMetadataQuery mq) {
    if (!(c instanceof RexCall call)) {
      return null;
    }
    if (call.getKind() == SqlKind.OR) {
      Set<String> literals = new HashSet<>();
      Set<Integer> params = new LinkedHashSet<>();
      for (RexNode d : call.getOperands()) {
        ClusterIdKeys k = keysOf(d, input, mq);
        if (k == null) {
          return null;
        }
        literals.addAll(k.literals);
        params.addAll(k.params);
      }
      return new ClusterIdKeys(literals, new ArrayList<>(params));
    }
    if (call.getKind() == SqlKind.EQUALS) {
      RexNode a = call.getOperands().get(0);
      RexNode b = call.getOperands().get(1);
      if (a instanceof RexLiteral || a instanceof RexDynamicParam) {
        RexNode t = a;
        a = b;
        b = t;
      }
      if (!isId(a, input, mq)) {
        return null;
      }
      if (b instanceof RexLiteral lit && !lit.isNull()) {
        String v = lit.getValueAs(String.class);
        return v == null ? null : new ClusterIdKeys(Set.of(v), List.of());
      }
      // a CHAR parameter compares padded: only a VARCHAR one is the key itself
      if (b instanceof RexDynamicParam p && p.getType().getSqlTypeName() == SqlTypeName.VARCHAR) {
        return new ClusterIdKeys(Set.of(), List.of(p.getIndex()));
      }
      return null;
    }
    if (call.getKind() == SqlKind.SEARCH && isId(call.getOperands().get(0), input, mq)
        && call.getOperands().get(1) instanceof RexLiteral lit) {
      Sarg<?> sarg = lit.getValueAs(Sarg.class);
      if (sarg == null || !sarg.isPoints()
          || sarg.nullAs != RexUnknownAs.UNKNOWN && sarg.nullAs != RexUnknownAs.FALSE) {
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
      return new ClusterIdKeys(out, List.of());
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
