package io.converge.rules;

import io.converge.adapter.ConvergeColumnCapabilities;
import io.converge.adapter.ConvergeArrayFunctions;
import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeColumnType;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.CollectionSnapshot;
import io.converge.storage.query.Predicate;
import java.math.BigDecimal;
import java.time.Instant;
import org.apache.calcite.rel.type.RelDataType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Translates a filter condition over a Converge access path's columns into an {@code _id} lookup
 * and a storage {@link Predicate}, conjunct by conjunct. A conjunct is translated only when the
 * storage semantics are exactly SQL's for that column's types; anything else is returned as a
 * residual conjunct for a Calcite filter above. Translation of a single expression throws
 * {@link CannotTranslateException} at the first thing it cannot translate exactly.
 *
 * <p>Translatable columns: BIGINT (only INT values), DOUBLE (DOUBLE, or INT + DOUBLE), VARCHAR
 * (only strings), BOOLEAN, TIMESTAMP (only timestamps) and {@code _event_time}, compared with a
 * literal or a dynamic parameter ({@link ConvergeQuery.Param}, bound at execution; such a
 * conjunct also stays residual, and never goes under NOT); arrays of one scalar element type
 * through {@code ARRAY_CONTAINS}; never TEXT (mixed types as text) columns, except for
 * {@code IS [NOT] NULL}, which holds for every column. {@code _id} only as a lookup.
 */
public final class ConvergeFilterTranslator {
  /** Thrown when an expression has no exactly equal storage predicate. */
  public static final class CannotTranslateException extends Exception {
    CannotTranslateException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * @param ids {@code _id}s to look up, or null
   * @param predicate storage predicate of the translated conjuncts, or null
   * @param residual conjuncts left to Calcite
   * @param text the translated part, for EXPLAIN
   */
  public record Result(List<?> ids, Predicate predicate, List<RexNode> residual,
      String text) {
    public boolean translatedSomething() {
      return ids != null || predicate != null;
    }
  }

  private final RexBuilder rexBuilder;
  private final ConvergeTable table;
  private final int[] columns;
  /** Whether the conjunct being translated has a dynamic parameter. */
  private boolean usedParam;
  /** NOTs around the expression being translated: parameters are not translated under one. */
  private int notDepth;
  /** Parameters of this plan are bound exactly (see {@link ExactParameters}). */
  private final boolean exactParams = ExactParameters.planning();

  /**
   * @param columns table column index of each input field of the condition
   */
  public ConvergeFilterTranslator(RexBuilder rexBuilder, ConvergeTable table, int[] columns) {
    this.rexBuilder = rexBuilder;
    this.table = table;
    this.columns = columns.clone();
  }

  public Result translate(RexNode condition) {
    List<?> ids = null;
    List<Predicate> predicates = new ArrayList<>();
    List<RexNode> residual = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (RexNode conjunct : RelOptUtil.conjunctions(condition)) {
      RexNode expanded = RexUtil.expandSearch(rexBuilder, null, conjunct);
      if (ids == null) {
        List<?> lookup = idLookup(expanded);
        if (lookup != null) {
          ids = lookup;
          texts.add(CollectionSnapshot.ID + " IN (" + lookup.stream().map(ConvergeFilterTranslator::quote)
              .collect(Collectors.joining(", ")) + ")");
          continue;
        }
      }
      try {
        usedParam = false;
        notDepth = 0;
        Predicate p = predicate(expanded);
        predicates.add(p);
        texts.add(describe(p));
        if (usedParam && !exactParams) {
          // bound at execution, maybe to a value storage cannot compare exactly (then the index
          // selects a superset): Calcite evaluates the conjunct again on the selected rows
          residual.add(conjunct);
        }
      } catch (CannotTranslateException e) {
        residual.add(conjunct);
      }
    }
    Predicate predicate = predicates.isEmpty() ? null
        : predicates.size() == 1 ? predicates.get(0) : new Predicate.And(List.copyOf(predicates));
    return new Result(ids, predicate, residual, String.join(" AND ", texts));
  }

  /**
   * {@code _id = 'x'} or {@code _id = ?} or an OR of such: the ids (strings and
   * {@link ConvergeQuery.IdParam}s), else null.
   */
  List<?> idLookup(RexNode e) {
    Set<Object> ids = new LinkedHashSet<>();
    List<RexNode> disjuncts = RelOptUtil.disjunctions(e);
    for (RexNode d : disjuncts) {
      if (d.getKind() != SqlKind.EQUALS) {
        return null;
      }
      RexCall call = (RexCall) d;
      RexNode a = call.getOperands().get(0);
      RexNode b = call.getOperands().get(1);
      if (a instanceof RexLiteral || a instanceof RexDynamicParam) {
        RexNode t = a;
        a = b;
        b = t;
      }
      if (b instanceof RexDynamicParam param && a instanceof RexInputRef pref
          && column(pref).path().equals(CollectionSnapshot.ID)
          && SqlTypeUtil.inCharFamily(param.getType())) {
        ids.add(new ConvergeQuery.IdParam(param.getIndex()));
        continue;
      }
      if (!(a instanceof RexInputRef ref) || !(b instanceof RexLiteral lit)
          || !column(ref).path().equals(CollectionSnapshot.ID)) {
        return null;
      }
      String v;
      try {
        v = string(lit);
      } catch (CannotTranslateException ex) {
        return null;
      }
      ids.add(v);
    }
    return ids.isEmpty() ? null : List.copyOf(ids);
  }

  /** The storage predicate exactly equal to {@code e} (SEARCH already expanded). */
  Predicate predicate(RexNode e) throws CannotTranslateException {
    switch (e.getKind()) {
    case AND: {
      List<Predicate> ops = new ArrayList<>();
      for (RexNode o : ((RexCall) e).getOperands()) {
        ops.add(predicate(o));
      }
      return new Predicate.And(ops);
    }
    case OR: {
      List<Predicate> ops = new ArrayList<>();
      for (RexNode o : ((RexCall) e).getOperands()) {
        ops.add(predicate(o));
      }
      return inOrOr(ops);
    }
    case NOT:
      notDepth++;
      try {
        return new Predicate.Not(predicate(((RexCall) e).getOperands().get(0)));
      } finally {
        notDepth--;
      }
    case IS_NULL:
    case IS_NOT_NULL: {
      RexNode o = ((RexCall) e).getOperands().get(0);
      if (!(o instanceof RexInputRef ref)) {
        throw new CannotTranslateException("IS NULL of an expression");
      }
      ConvergeColumn c = column(ref);
      if (isSystem(c)) {
        throw new CannotTranslateException("IS NULL of a system column");
      }
      return e.getKind() == SqlKind.IS_NULL
          ? new Predicate.IsNull(c.path()) : new Predicate.IsNotNull(c.path());
    }
    case IS_TRUE:
    case IS_FALSE:
    case IS_NOT_TRUE:
    case IS_NOT_FALSE: {
      RexNode o = ((RexCall) e).getOperands().get(0);
      if (!(o instanceof RexInputRef ref)) {
        throw new CannotTranslateException(e.getKind() + " of an expression");
      }
      ConvergeColumn c = comparable(ref);
      if (c.type() != ConvergeColumnType.BOOLEAN) {
        throw new CannotTranslateException("not a BOOLEAN column");
      }
      return switch (e.getKind()) {
        case IS_TRUE -> new Predicate.Compare(c.path(), Predicate.Op.EQ, true);
        case IS_FALSE -> new Predicate.Compare(c.path(), Predicate.Op.EQ, false);
        case IS_NOT_TRUE -> new Predicate.Or(List.of(new Predicate.IsNull(c.path()),
            new Predicate.Compare(c.path(), Predicate.Op.EQ, false)));
        default -> new Predicate.Or(List.of(new Predicate.IsNull(c.path()),
            new Predicate.Compare(c.path(), Predicate.Op.EQ, true)));
      };
    }
    case INPUT_REF: {
      ConvergeColumn c = comparable((RexInputRef) e);
      if (c.type() != ConvergeColumnType.BOOLEAN) {
        throw new CannotTranslateException("not a BOOLEAN column");
      }
      return new Predicate.Compare(c.path(), Predicate.Op.EQ, true);
    }
    case EQUALS:
    case NOT_EQUALS:
    case LESS_THAN:
    case LESS_THAN_OR_EQUAL:
    case GREATER_THAN:
    case GREATER_THAN_OR_EQUAL:
      return compare((RexCall) e);
    case LIKE:
      return like((RexCall) e);
    case OTHER_FUNCTION:
      return arrayContains((RexCall) e);
    default:
      throw new CannotTranslateException("not translatable: " + e.getKind());
    }
  }

  /** An OR of equalities on one path becomes IN. */
  private static Predicate inOrOr(List<Predicate> ops) {
    String path = null;
    List<Object> values = new ArrayList<>();
    for (Predicate p : ops) {
      if (p instanceof Predicate.Compare c && c.op() == Predicate.Op.EQ
          && (path == null || path.equals(c.path()))) {
        path = c.path();
        values.add(c.value());
      } else {
        return new Predicate.Or(ops);
      }
    }
    return new Predicate.In(path, values);
  }

  private Predicate compare(RexCall call) throws CannotTranslateException {
    RexNode a = call.getOperands().get(0);
    RexNode b = call.getOperands().get(1);
    SqlKind kind = call.getKind();
    if ((a instanceof RexLiteral || a instanceof RexDynamicParam) && b instanceof RexInputRef) {
      RexNode t = a;
      a = b;
      b = t;
      kind = kind.reverse();
    }
    if (!(a instanceof RexInputRef ref)
        || !(b instanceof RexLiteral || b instanceof RexDynamicParam)) {
      throw new CannotTranslateException("not column op literal");
    }
    ConvergeColumn c = comparable(ref);
    Predicate.Op op = switch (kind) {
      case EQUALS -> Predicate.Op.EQ;
      case NOT_EQUALS -> Predicate.Op.NE;
      case LESS_THAN -> Predicate.Op.LT;
      case LESS_THAN_OR_EQUAL -> Predicate.Op.LE;
      case GREATER_THAN -> Predicate.Op.GT;
      case GREATER_THAN_OR_EQUAL -> Predicate.Op.GE;
      default -> throw new CannotTranslateException("operator " + kind);
    };
    if (c.type() == ConvergeColumnType.TIMESTAMP) {
      return timestampCompare(c.path(), op, b);
    }
    Object value = b instanceof RexDynamicParam param ? param(c, param, 0)
        : value(c, (RexLiteral) b);
    return new Predicate.Compare(c.path(), op, value);
  }

  /**
   * A comparison of a TIMESTAMP(3) column with a literal or parameter {@code m} (epoch
   * milliseconds, UTC wall clock). Calcite sees a stored instant {@code t} as its millisecond
   * {@code floor(t)}, so {@code floor(t) = m} is {@code m <= t < m + 1 ms}, {@code floor(t) <= m}
   * is {@code t < m + 1 ms}, and so on: exact even for instants with sub-millisecond digits.
   */
  private Predicate timestampCompare(String path, Predicate.Op op, RexNode bound)
      throws CannotTranslateException {
    Object lo;
    Object hi;
    if (bound instanceof RexDynamicParam param) {
      lo = param(ConvergeColumn.EVENT_TIME, param, 0);
      hi = param(ConvergeColumn.EVENT_TIME, param, 1);
    } else {
      long m = timestampMillis((RexLiteral) bound);
      lo = Instant.ofEpochMilli(m);
      hi = Instant.ofEpochMilli(Math.addExact(m, 1));
    }
    return switch (op) {
      case EQ -> new Predicate.And(List.of(new Predicate.Compare(path, Predicate.Op.GE, lo),
          new Predicate.Compare(path, Predicate.Op.LT, hi)));
      case NE -> new Predicate.Or(List.of(new Predicate.Compare(path, Predicate.Op.LT, lo),
          new Predicate.Compare(path, Predicate.Op.GE, hi)));
      case LT -> new Predicate.Compare(path, Predicate.Op.LT, lo);
      case LE -> new Predicate.Compare(path, Predicate.Op.LT, hi);
      case GT -> new Predicate.Compare(path, Predicate.Op.GE, hi);
      case GE -> new Predicate.Compare(path, Predicate.Op.GE, lo);
    };
  }

  private static long timestampMillis(RexLiteral lit) throws CannotTranslateException {
    if (lit.isNull() || lit.getTypeName() != SqlTypeName.TIMESTAMP) {
      throw new CannotTranslateException("not a TIMESTAMP literal: " + lit);
    }
    Long m = lit.getValueAs(Long.class); // what Calcite's generated code compares with
    if (m == null || Math.abs(m) > MAX_MILLIS) {
      throw new CannotTranslateException("TIMESTAMP literal out of range: " + lit);
    }
    return m;
  }

  /** Epoch milliseconds beyond which a bound is left to Calcite (years beyond +-100,000). */
  static final long MAX_MILLIS = 3_000_000_000_000_000L;

  /**
   * A dynamic parameter compared with column {@code c}: a {@link ConvergeQuery.Param} bound at
   * execution. Only outside NOT (an unbindable value selects a superset, which NOT would turn
   * into a subset) and when Calcite typed the parameter in the column's family.
   */
  private Object param(ConvergeColumn c, RexDynamicParam param, long millisDelta)
      throws CannotTranslateException {
    if (notDepth > 0) {
      throw new CannotTranslateException("dynamic parameter under NOT");
    }
    RelDataType t = param.getType();
    boolean ok = switch (c.type()) {
      case BIGINT, DOUBLE -> SqlTypeUtil.isNumeric(t);
      case VARCHAR -> SqlTypeUtil.inCharFamily(t);
      case BOOLEAN -> SqlTypeUtil.inBooleanFamily(t);
      case TIMESTAMP -> t.getSqlTypeName() == SqlTypeName.TIMESTAMP;
      default -> false;
    };
    if (!ok) {
      throw new CannotTranslateException("parameter of type " + t + " for column " + c.name());
    }
    usedParam = true;
    return new ConvergeQuery.Param(param.getIndex(), c.type(), millisDelta, exactParams);
  }

  /**
   * {@code ARRAY_CONTAINS(array_column, value)} ({@link ConvergeArrayFunctions}) → storage's
   * {@link Predicate.Contains}, on array columns whose elements are all of one scalar type, with a
   * literal of that type.
   */
  private Predicate arrayContains(RexCall call) throws CannotTranslateException {
    if (!ConvergeArrayFunctions.isArrayContains(call.getOperator())
        || call.getOperands().size() != 2) {
      throw new CannotTranslateException("function " + call.getOperator().getName());
    }
    RexNode array = stripAnyCast(call.getOperands().get(0));
    RexNode v = stripAnyCast(call.getOperands().get(1));
    if (!(array instanceof RexInputRef ref) || !(v instanceof RexLiteral lit)) {
      throw new CannotTranslateException("ARRAY_CONTAINS of an expression");
    }
    ConvergeColumn c = column(ref);
    if (!ConvergeColumnCapabilities.containable(table, c)) {
      throw new CannotTranslateException("column " + c.name()
          + " is not an array of one scalar element type");
    }
    ConvergeColumnType e = c.elementType();
    // the value as the element column would compare it (Contains uses storage's comparison)
    Object value = value(new ConvergeColumn(c.name(), c.path(), e, null, true), lit);
    return new Predicate.Contains(c.path(), value);
  }

  /** A CAST to ANY that Calcite adds around arguments of ANY-typed function parameters. */
  private static RexNode stripAnyCast(RexNode e) {
    if (e.getKind() == SqlKind.CAST
        && e.getType().getSqlTypeName() == SqlTypeName.ANY) {
      return ((RexCall) e).getOperands().get(0);
    }
    return e;
  }

  private Predicate like(RexCall call) throws CannotTranslateException {
    if (call.getOperator() != SqlStdOperatorTable.LIKE || call.getOperands().size() != 2) {
      throw new CannotTranslateException("LIKE with ESCAPE, ILIKE or a library variant");
    }
    if (!(call.getOperands().get(0) instanceof RexInputRef ref)
        || !(call.getOperands().get(1) instanceof RexLiteral lit)) {
      throw new CannotTranslateException("LIKE of an expression");
    }
    ConvergeColumn c = comparable(ref);
    if (c.type() != ConvergeColumnType.VARCHAR) {
      throw new CannotTranslateException("LIKE on a non-string column");
    }
    String pattern = string(lit);
    if (!pattern.endsWith("%")) {
      throw new CannotTranslateException("LIKE pattern is not a prefix");
    }
    String prefix = pattern.substring(0, pattern.length() - 1);
    if (prefix.indexOf('%') >= 0 || prefix.indexOf('_') >= 0 || prefix.indexOf('\\') >= 0) {
      throw new CannotTranslateException("LIKE pattern is not a plain prefix");
    }
    return new Predicate.Prefix(c.path(), prefix);
  }

  private ConvergeColumn column(RexInputRef ref) {
    return table.columns().get(columns[ref.getIndex()]);
  }

  private static boolean isSystem(ConvergeColumn c) {
    return c.path().equals(CollectionSnapshot.ID) || c.path().equals(CollectionSnapshot.EVENT_TIME);
  }

  /** A column whose comparisons the storage layer evaluates exactly as SQL does. */
  private ConvergeColumn comparable(RexInputRef ref) throws CannotTranslateException {
    ConvergeColumn c = column(ref);
    if (c.path().equals(CollectionSnapshot.EVENT_TIME)) {
      return c; // a millisecond instant in every row
    }
    if (isSystem(c)) {
      throw new CannotTranslateException("system column " + c.path());
    }
    if (!ConvergeColumnCapabilities.comparable(table, c)) {
      throw new CannotTranslateException("column " + c.name() + " of type " + c.type()
          + " with JSON types " + table.typeMask(c));
    }
    return c;
  }

  private static Object value(ConvergeColumn c, RexLiteral lit) throws CannotTranslateException {
    if (lit.isNull()) {
      throw new CannotTranslateException("NULL literal");
    }
    SqlTypeName t = lit.getTypeName();
    switch (c.type()) {
    case BIGINT: {
      if (!SqlTypeName.EXACT_TYPES.contains(t)) {
        throw new CannotTranslateException("non-exact literal for a BIGINT column");
      }
      BigDecimal v = lit.getValueAs(BigDecimal.class);
      try {
        return v.longValueExact();
      } catch (ArithmeticException e) {
        throw new CannotTranslateException("literal not a long: " + v);
      }
    }
    case DOUBLE: {
      if (SqlTypeName.APPROX_TYPES.contains(t)) {
        Double d = lit.getValueAs(Double.class);
        if (d == null || d.isNaN() || d.isInfinite()) {
          throw new CannotTranslateException("literal " + d);
        }
        return d;
      }
      if (SqlTypeName.EXACT_TYPES.contains(t)) {
        BigDecimal v = lit.getValueAs(BigDecimal.class);
        try {
          long l = v.longValueExact();
          if (Math.abs(l) < (1L << 53)) {
            return (double) l;
          }
        } catch (ArithmeticException e) {
          // not integral: a decimal the double holds exactly (2.5, not 0.1) means the same
          double d = v.doubleValue();
          if (Double.isFinite(d) && new BigDecimal(d).compareTo(v) == 0) {
            return d;
          }
        }
      }
      throw new CannotTranslateException("literal for a DOUBLE column: " + lit);
    }
    case VARCHAR:
      return string(lit);
    case BOOLEAN:
      if (t != SqlTypeName.BOOLEAN) {
        throw new CannotTranslateException("non-boolean literal");
      }
      return lit.getValueAs(Boolean.class);
    default:
      throw new CannotTranslateException("column type " + c.type());
    }
  }

  private static String string(RexLiteral lit) throws CannotTranslateException {
    SqlTypeName t = lit.getTypeName();
    if (lit.isNull() || (t != SqlTypeName.CHAR && t != SqlTypeName.VARCHAR)) {
      throw new CannotTranslateException("not a string literal");
    }
    String s = lit.getValueAs(String.class);
    if (s == null || (t == SqlTypeName.CHAR && s.endsWith(" "))) {
      // a CHAR literal may have been padded to a common length; leave it to Calcite
      throw new CannotTranslateException("padded CHAR literal");
    }
    return s;
  }

  /** A readable form of a storage predicate, for EXPLAIN. */
  static String describe(Predicate p) {
    if (p instanceof Predicate.Compare c) {
      String op = switch (c.op()) {
        case EQ -> "=";
        case NE -> "<>";
        case LT -> "<";
        case LE -> "<=";
        case GT -> ">";
        case GE -> ">=";
      };
      return c.path() + " " + op + " " + literal(c.value());
    } else if (p instanceof Predicate.In in) {
      return in.path() + " IN (" + in.values().stream().map(ConvergeFilterTranslator::literal)
          .collect(Collectors.joining(", ")) + ")";
    } else if (p instanceof Predicate.Prefix x) {
      return x.path() + " LIKE " + quote(x.prefix() + "%");
    } else if (p instanceof Predicate.Contains x) {
      return x.path() + " CONTAINS " + literal(x.value());
    } else if (p instanceof Predicate.IsNull x) {
      return x.path() + " IS NULL";
    } else if (p instanceof Predicate.IsNotNull x) {
      return x.path() + " IS NOT NULL";
    } else if (p instanceof Predicate.And a) {
      return "(" + a.operands().stream().map(ConvergeFilterTranslator::describe)
          .collect(Collectors.joining(" AND ")) + ")";
    } else if (p instanceof Predicate.Or o) {
      return "(" + o.operands().stream().map(ConvergeFilterTranslator::describe)
          .collect(Collectors.joining(" OR ")) + ")";
    } else if (p instanceof Predicate.Not n) {
      return "NOT " + describe(n.operand());
    }
    return String.valueOf(p);
  }

  private static String literal(Object v) {
    return v instanceof String s ? quote(s) : String.valueOf(v);
  }

  private static String quote(Object id) {
    return id instanceof String s ? "'" + s.replace("'", "''") + "'" : id.toString();
  }
}
