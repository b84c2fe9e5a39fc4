package io.converge.server;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * A plain query with the literals it compares columns with taken out: {@code where "_id" = 'o-7'}
 * and {@code where "_id" = 'o-8'} have the same {@link #text} ({@code where "_id" = ?}) and differ
 * only in {@link #values}, so the plan cache prepares the text once and binds each execution's
 * values, as an application's {@code PreparedStatement} would (SQL Server's simple
 * parameterization, Oracle's {@code CURSOR_SHARING=FORCE}).
 *
 * <p>Only literals that cannot change a plan's meaning when bound are taken: a character string
 * or a number compared ({@code = <> < <= > >=}, {@code IN} / {@code NOT IN} lists) with a column
 * name, in a query ({@code SELECT}, set operations, {@code ORDER BY}, {@code WITH}); never in
 * {@code EXPLAIN}, DML or DDL. Whether the column's type takes the literal as it is decides
 * {@link StatementPlanCache} after preparing the text (a string for a character column, a number
 * for a numeric one); otherwise the query is planned with its literals as before.
 *
 * @param text the SQL with a {@code ?} in place of each literal taken
 * @param values the literals in the order of the markers: {@code String}, {@code Long} (an integer
 *     that fits) or {@code BigDecimal}
 */
record QueryShape(String text, List<Object> values) {

  /** Literals longer than this stay in the text (a shape per value would be no gain anyway). */
  static final int MAX_LITERAL_CHARS = 1_000;

  /**
   * The shape of {@code sql}, or null when it has no literal to take out, is not a query, or
   * does not parse with {@code parser} (then it is planned as it is and fails there if wrong).
   */
  static QueryShape of(String sql, SqlParser.Config parser) {
    SqlNode root;
    try {
      root = SqlParser.create(sql, parser).parseQuery();
    } catch (SqlParseException | RuntimeException e) {
      return null;
    }
    if (!root.getKind().belongsTo(SqlKind.QUERY) && root.getKind() != SqlKind.ORDER_BY
        && root.getKind() != SqlKind.WITH) {
      return null;
    }
    Finder finder = new Finder();
    root.accept(finder);
    if (finder.dynamic || finder.taken.isEmpty()) {
      return null;
    }
    int[] lineStarts = lineStarts(sql);
    List<Span> spans = new ArrayList<>(finder.taken.size());
    for (SqlLiteral literal : finder.taken) {
      Span span = span(sql, lineStarts, literal);
      if (span == null) {
        return null; // a position the parser counted differently (tabs): plan as it is
      }
      spans.add(span);
    }
    spans.sort(Comparator.comparingInt(Span::start));
    StringBuilder text = new StringBuilder(sql.length());
    List<Object> values = new ArrayList<>(spans.size());
    int at = 0;
    for (Span s : spans) {
      if (s.start() < at) {
        return null;
      }
      text.append(sql, at, s.start()).append('?');
      values.add(s.value());
      at = s.end();
    }
    text.append(sql, at, sql.length());
    return new QueryShape(text.toString(), List.copyOf(values));
  }

  /** Where a literal stands in the text, checked against the text itself. */
  private record Span(int start, int end, Object value) {}

  private static Span span(String sql, int[] lineStarts, SqlLiteral literal) {
    SqlParserPos pos = literal.getParserPosition();
    int start = offset(lineStarts, pos.getLineNum(), pos.getColumnNum());
    int end = offset(lineStarts, pos.getEndLineNum(), pos.getEndColumnNum());
    if (start < 0 || end < start || end >= sql.length()) {
      return null;
    }
    String written = sql.substring(start, end + 1);
    if (literal instanceof SqlCharStringLiteral) {
      String value = literal.getValueAs(String.class);
      // Plain '...' only (no N'', X'', U&'', _charset''); its text must be what was parsed.
      if (written.charAt(0) != '\'' || written.charAt(written.length() - 1) != '\''
          || !written.contains(value.replace("'", "''"))) {
        return null;
      }
      return new Span(start, end + 1, value);
    }
    BigDecimal value = literal.getValueAs(BigDecimal.class);
    BigDecimal parsed;
    try {
      parsed = new BigDecimal(written);
    } catch (NumberFormatException e) {
      return null;
    }
    if (parsed.compareTo(value) != 0) {
      return null;
    }
    Object bound = value;
    if (value.scale() <= 0) {
      try {
        bound = value.longValueExact();
      } catch (ArithmeticException e) {
        bound = value;
      }
    }
    return new Span(start, end + 1, bound);
  }

  /** The offset of a 1-based line and column, or -1 when out of the text. */
  private static int offset(int[] lineStarts, int line, int column) {
    if (line < 1 || line > lineStarts.length || column < 1) {
      return -1;
    }
    return lineStarts[line - 1] + column - 1;
  }

  /** Offsets where each line begins; a line ends at \n, \r\n or \r, as the parser counts. */
  private static int[] lineStarts(String sql) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '\r' && i + 1 < sql.length() && sql.charAt(i + 1) == '\n') {
        i++;
        starts.add(i + 1);
      } else if (c == '\n' || c == '\r') {
        starts.add(i + 1);
      }
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Collects the literals compared with a column name; notes any {@code ?} already there. */
  private static final class Finder extends SqlBasicVisitor<Void> {
    final List<SqlLiteral> taken = new ArrayList<>();
    boolean dynamic;

    @Override
    public Void visit(SqlDynamicParam param) {
      dynamic = true;
      return null;
    }

    @Override
    public Void visit(SqlCall call) {
      SqlKind kind = call.getKind();
      if (call instanceof SqlBasicCall && call.operandCount() == 2) {
        SqlNode left = call.operand(0);
        SqlNode right = call.operand(1);
        switch (kind) {
          case EQUALS, NOT_EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN,
              GREATER_THAN_OR_EQUAL -> {
            if (left instanceof SqlIdentifier && takeable(right)) {
              taken.add((SqlLiteral) right);
            } else if (right instanceof SqlIdentifier && takeable(left)) {
              taken.add((SqlLiteral) left);
            }
          }
          case IN, NOT_IN -> {
            if (left instanceof SqlIdentifier && right instanceof SqlNodeList list
                && list.size() > 0 && allTakeableAlike(list)) {
              for (SqlNode n : list) {
                taken.add((SqlLiteral) n);
              }
            }
          }
          default -> { }
        }
      }
      return super.visit(call);
    }

    private static boolean allTakeableAlike(SqlNodeList list) {
      boolean strings = list.get(0) instanceof SqlCharStringLiteral;
      for (SqlNode n : list) {
        if (!takeable(n) || (n instanceof SqlCharStringLiteral) != strings) {
          return false;
        }
      }
      return true;
    }

    private static boolean takeable(SqlNode node) {
      if (node instanceof SqlCharStringLiteral s) {
        String value = s.getValueAs(String.class);
        // Trailing blanks: CHAR comparison rules could differ from a bound VARCHAR.
        return value.length() <= MAX_LITERAL_CHARS
            && (value.isEmpty() || value.charAt(value.length() - 1) != ' ')
            && s.getNlsString().getCharsetName() == null;
      }
      return node instanceof SqlNumericLiteral n && n.isExact()
          && n.toValue().length() <= MAX_LITERAL_CHARS;
    }
  }
}
