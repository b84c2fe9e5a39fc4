package io.converge.server.auth;

import io.converge.adapter.ddl.ConvergeSqlParserImpl;
import java.util.Set;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.sql.SqlExplain;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;

/**
 * Which SQL texts a read-only user may run: those that parse as one query ({@code SELECT},
 * {@code VALUES}, {@code WITH}, set operations, {@code ORDER BY}), {@code EXPLAIN} of a query, or
 * {@code DESCRIBE}, and the session's own settings ({@code ALTER SESSION SET}, bare {@code SET} /
 * {@code RESET}). Everything else (INSERT, UPDATE, DELETE, MERGE, UPSERT, CREATE, DROP, ALTER
 * SYSTEM, text that does not parse with the connections' parser, several statements) is refused
 * before it reaches the planner: unknown statement kinds fail closed.
 */
public final class ReadOnlyStatements {
  private static final Set<SqlKind> ALLOWED = Set.of(SqlKind.DESCRIBE_SCHEMA,
      SqlKind.DESCRIBE_TABLE);
  /** The parser of Converge's connections (Calcite's plus CREATE / DROP TABLE and INDEX). */
  private static final SqlParser.Config PARSER = SqlParser.config()
      .withParserFactory(ConvergeSqlParserImpl.FACTORY)
      .withUnquotedCasing(Casing.UNCHANGED).withCaseSensitive(false);

  private ReadOnlyStatements() {}

  /** Null when {@code sql} is a query; otherwise why a read-only user may not run it. */
  public static String refusal(String sql) {
    SqlNode node;
    try {
      node = SqlParser.create(sql == null ? "" : sql, PARSER).parseStmt();
    } catch (SqlParseException e) {
      return "only single queries are allowed, and this text does not parse as one: "
          + firstLine(e.getMessage());
    } catch (RuntimeException e) {
      return "only single queries are allowed, and this text does not parse as one: " + e;
    }
    SqlKind kind = node.getKind();
    if (node instanceof SqlExplain explain) {
      SqlKind explained = explain.getExplicandum().getKind();
      return explained.belongsTo(SqlKind.QUERY) ? null
          : "only queries are allowed, not EXPLAIN of " + explained.sql.replace('_', ' ');
    }
    if (kind.belongsTo(SqlKind.QUERY) || ALLOWED.contains(kind)) {
      return null;
    }
    if (node instanceof org.apache.calcite.sql.SqlSetOption option
        && (option.getScope() == null || option.getScope().equalsIgnoreCase("SESSION"))) {
      // A session's own settings (a read fence, a wait bound) change no data and nobody else's
      // session.
      return null;
    }
    return "only queries are allowed, not " + kind.sql.replace('_', ' ');
  }

  /**
   * The kind of write {@code sql} is ("INSERT", "CREATE TABLE", ...) when it parses as one data
   * change or DDL statement; null for queries, EXPLAIN, DESCRIBE and text that does not parse
   * (the planner reports that).
   */
  public static String writeKind(String sql) {
    SqlNode node;
    try {
      node = SqlParser.create(sql == null ? "" : sql, PARSER).parseStmt();
    } catch (SqlParseException | RuntimeException e) {
      return null;
    }
    SqlKind kind = node.getKind();
    return kind.belongsTo(SqlKind.DML) || kind.belongsTo(SqlKind.DDL)
        ? kind.sql.replace('_', ' ') : null;
  }

  private static String firstLine(String m) {
    if (m == null) {
      return "";
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
