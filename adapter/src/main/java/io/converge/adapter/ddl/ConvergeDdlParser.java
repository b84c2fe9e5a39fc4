package io.converge.adapter.ddl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.schema.ColumnStrategy;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.ddl.SqlDdlNodes;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Parses the DDL Converge supports into Calcite's DDL nodes; {@link #parse} answers null for any
 * other statement (Calcite's own parser takes it):
 * <pre>
 * CREATE TABLE [IF NOT EXISTS] name (column type [NOT NULL | NULL] [PRIMARY KEY], ...
 *                                    [, [CONSTRAINT c] PRIMARY KEY (column, ...)])
 * DROP TABLE [IF EXISTS] name
 * CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (column [ASC | DESC], ...)
 * DROP INDEX [IF EXISTS] name
 * </pre>
 * Types: BOOLEAN, TINYINT, SMALLINT, INTEGER (INT), BIGINT, REAL, FLOAT, DOUBLE [PRECISION],
 * DECIMAL / NUMERIC [(p [, s])], CHAR / CHARACTER [(n)], VARCHAR / CHARACTER VARYING [(n)],
 * TEXT / STRING (VARCHAR), DATE, TIMESTAMP. Identifiers follow the connection's casing rules
 * (Converge: unquoted names keep their case).
 */
final class ConvergeDdlParser {
  private final String sql;
  private final Casing unquotedCasing;
  private final Casing quotedCasing;
  private final List<Token> tokens = new ArrayList<>();
  private int at;

  private record Token(String text, boolean quoted, int offset) {
    boolean is(String keyword) {
      return !quoted && text.equalsIgnoreCase(keyword);
    }
  }

  private ConvergeDdlParser(String sql, Casing unquotedCasing, Casing quotedCasing) {
    this.sql = sql;
    this.unquotedCasing = unquotedCasing;
    this.quotedCasing = quotedCasing;
  }

  /** The DDL node for {@code sql}, or null when it is not DDL this parser handles. */
  static SqlNode parse(String sql, Casing unquotedCasing, Casing quotedCasing)
      throws SqlParseException {
    ConvergeDdlParser p = new ConvergeDdlParser(sql, unquotedCasing, quotedCasing);
    if (!p.tokenizeHead()) {
      return null;
    }
    p.tokenize();
    return p.statement();
  }

  /** Cheap check of the first two words, so queries pay almost nothing. */
  private boolean tokenizeHead() {
    String head = sql.stripLeading();
    while (head.startsWith("--") || head.startsWith("/*")) {
      int end = head.startsWith("--") ? head.indexOf('\n') : head.indexOf("*/");
      if (end < 0) {
        return false;
      }
      head = head.substring(end + (head.startsWith("--") ? 1 : 2)).stripLeading();
    }
    String upper = head.length() > 40 ? head.substring(0, 40).toUpperCase(Locale.ROOT)
        : head.toUpperCase(Locale.ROOT);
    String[] w = upper.split("[\\s(]+", 4);
    if (w.length < 2) {
      return false;
    }
    if (w[0].equals("CREATE")) {
      return w[1].equals("TABLE") || w[1].equals("INDEX")
          || (w[1].equals("UNIQUE") && w.length > 2 && w[2].equals("INDEX"));
    }
    return w[0].equals("DROP") && (w[1].equals("TABLE") || w[1].equals("INDEX"));
  }

  private void tokenize() throws SqlParseException {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        if (end < 0) {
          throw error(i, "unterminated comment");
        }
        i = end + 2;
      } else if (c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : c;
        StringBuilder b = new StringBuilder();
        int start = i++;
        while (true) {
          if (i >= n) {
            throw error(start, "unterminated quoted identifier");
          }
          char d = sql.charAt(i++);
          if (d == close) {
            if (i < n && sql.charAt(i) == close && close != ']') {
              b.append(close);
              i++;
            } else {
              break;
            }
          } else {
            b.append(d);
          }
        }
        tokens.add(new Token(b.toString(), true, start));
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_'
            || sql.charAt(i) == '$')) {
          i++;
        }
        tokens.add(new Token(sql.substring(start, i), false, start));
      } else if (c == '\'') {
        throw error(i, "unexpected string literal (DEFAULT values are not supported)");
      } else {
        tokens.add(new Token(String.valueOf(c), false, i));
        i++;
      }
    }
    while (!tokens.isEmpty() && tokens.get(tokens.size() - 1).is(";")) {
      tokens.remove(tokens.size() - 1);
    }
  }

  private SqlNode statement() throws SqlParseException {
    expect("CREATE", "DROP");
    if (tokens.get(0).is("DROP")) {
      if (accept("TABLE")) {
        boolean ifExists = ifExists();
        SqlIdentifier name = name();
        end();
        return SqlDdlNodes.dropTable(pos(0), ifExists, name);
      }
      expect("INDEX");
      boolean ifExists = ifExists();
      SqlIdentifier name = name();
      if (accept("ON")) {
        name(); // MySQL's DROP INDEX name ON table
      }
      end();
      return new SqlDropIndex(pos(0), ifExists, name);
    }
    if (accept("TABLE")) {
      return createTable();
    }
    boolean unique = accept("UNIQUE");
    expect("INDEX");
    boolean ifNotExists = ifNotExists();
    SqlIdentifier name = name();
    expect("ON");
    SqlIdentifier table = name();
    expect("(");
    List<SqlNode> columns = new ArrayList<>();
    do {
      columns.add(name());
      if (!accept("ASC")) {
        accept("DESC");
      }
    } while (accept(","));
    expect(")");
    end();
    return new SqlCreateIndex(pos(0), ifNotExists, unique, name, table,
        new SqlNodeList(columns, pos(0)));
  }

  private SqlNode createTable() throws SqlParseException {
    boolean ifNotExists = ifNotExists();
    SqlIdentifier name = name();
    if (peekIs("AS")) {
      throw error(peek().offset(), "CREATE TABLE ... AS SELECT is not supported; create the "
          + "table, then INSERT INTO ... SELECT");
    }
    expect("(");
    List<SqlNode> elements = new ArrayList<>();
    do {
      if (peekIs("PRIMARY") || peekIs("CONSTRAINT")) {
        if (accept("CONSTRAINT")) {
          name();
        }
        expect("PRIMARY");
        expect("KEY");
        elements.add(SqlDdlNodes.primary(pos(at), null, identifierList()));
      } else if (peekIs("UNIQUE") || peekIs("FOREIGN") || peekIs("CHECK")) {
        throw error(peek().offset(), peek().text().toUpperCase(Locale.ROOT)
            + " constraints are not supported (only PRIMARY KEY)");
      } else {
        elements.addAll(column());
      }
    } while (accept(","));
    expect(")");
    end();
    return SqlDdlNodes.createTable(pos(0), false, ifNotExists, name,
        new SqlNodeList(elements, pos(0)), null);
  }

  /** A column declaration, followed by a primary-key node when it says PRIMARY KEY. */
  private List<SqlNode> column() throws SqlParseException {
    int start = at;
    SqlIdentifier name = simpleName();
    SqlDataTypeSpec type = type();
    boolean notNull = false;
    boolean primary = false;
    while (true) {
      if (accept("NOT")) {
        expect("NULL");
        notNull = true;
      } else if (accept("NULL")) {
        notNull = false;
      } else if (accept("PRIMARY")) {
        expect("KEY");
        if (!accept("ASC")) {
          accept("DESC");
        }
        primary = true;
      } else if (peekIs("DEFAULT") || peekIs("UNIQUE") || peekIs("CHECK")
          || peekIs("REFERENCES") || peekIs("COLLATE") || peekIs("AUTOINCREMENT")
          || peekIs("GENERATED")) {
        throw error(peek().offset(), "column " + name.getSimple() + ": "
            + peek().text().toUpperCase(Locale.ROOT) + " is not supported in a column "
            + "declaration (only NOT NULL, NULL and PRIMARY KEY)");
      } else {
        break;
      }
    }
    boolean nullable = !notNull && !primary;
    List<SqlNode> out = new ArrayList<>(2);
    out.add(SqlDdlNodes.column(pos(start), name, type.withNullable(nullable), null,
        nullable ? ColumnStrategy.NULLABLE : ColumnStrategy.NOT_NULLABLE));
    if (primary) {
      out.add(SqlDdlNodes.primary(pos(start), null,
          new SqlNodeList(List.of(name), pos(start))));
    }
    return out;
  }

  private SqlDataTypeSpec type() throws SqlParseException {
    Token t = next("a column type");
    if (t.quoted()) {
      throw error(t.offset(), "expected a column type, found \"" + t.text() + "\"");
    }
    String word = t.text().toUpperCase(Locale.ROOT);
    SqlTypeName typeName;
    switch (word) {
    case "BOOLEAN", "BOOL" -> typeName = SqlTypeName.BOOLEAN;
    case "TINYINT" -> typeName = SqlTypeName.TINYINT;
    case "SMALLINT" -> typeName = SqlTypeName.SMALLINT;
    case "INTEGER", "INT" -> typeName = SqlTypeName.INTEGER;
    case "BIGINT" -> typeName = SqlTypeName.BIGINT;
    case "REAL" -> typeName = SqlTypeName.REAL;
    case "FLOAT" -> typeName = SqlTypeName.FLOAT;
    case "DOUBLE" -> {
      accept("PRECISION");
      typeName = SqlTypeName.DOUBLE;
    }
    case "DECIMAL", "NUMERIC", "DEC" -> typeName = SqlTypeName.DECIMAL;
    case "CHAR", "CHARACTER" -> typeName = accept("VARYING") ? SqlTypeName.VARCHAR
        : SqlTypeName.CHAR;
    case "VARCHAR", "TEXT", "STRING" -> typeName = SqlTypeName.VARCHAR;
    case "DATE" -> typeName = SqlTypeName.DATE;
    case "TIMESTAMP" -> typeName = SqlTypeName.TIMESTAMP;
    default -> throw error(t.offset(), "unsupported column type " + t.text()
        + " (supported: BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, REAL, FLOAT, DOUBLE, "
        + "DECIMAL(p, s), CHAR(n), VARCHAR(n), DATE, TIMESTAMP)");
    }
    int precision = -1;
    int scale = -1;
    if (accept("(")) {
      precision = integer();
      if (accept(",")) {
        scale = integer();
      }
      expect(")");
    }
    if (typeName == SqlTypeName.TIMESTAMP) {
      if (accept("WITH") || accept("WITHOUT")) {
        throw error(tokens.get(at - 1).offset(), "TIMESTAMP WITH/WITHOUT TIME ZONE is not "
            + "supported; TIMESTAMP is UTC");
      }
      precision = -1; // always millisecond precision
    }
    SqlParserPos p = pos(at - 1);
    SqlBasicTypeNameSpec spec = precision < 0 ? new SqlBasicTypeNameSpec(typeName, p)
        : scale < 0 ? new SqlBasicTypeNameSpec(typeName, precision, p)
        : new SqlBasicTypeNameSpec(typeName, precision, scale, p);
    return new SqlDataTypeSpec(spec, p);
  }

  private int integer() throws SqlParseException {
    Token t = next("a number");
    try {
      return Integer.parseInt(t.text());
    } catch (NumberFormatException e) {
      throw error(t.offset(), "expected a number, found " + t.text());
    }
  }

  private SqlNodeList identifierList() throws SqlParseException {
    int start = at;
    expect("(");
    List<SqlNode> list = new ArrayList<>();
    do {
      list.add(simpleName());
    } while (accept(","));
    expect(")");
    return new SqlNodeList(list, pos(start));
  }

  /** A possibly qualified name ({@code converge.t1}). */
  private SqlIdentifier name() throws SqlParseException {
    int start = at;
    List<String> parts = new ArrayList<>();
    parts.add(identifier());
    while (accept(".")) {
      parts.add(identifier());
    }
    return new SqlIdentifier(parts, pos(start));
  }

  private SqlIdentifier simpleName() throws SqlParseException {
    int start = at;
    return new SqlIdentifier(identifier(), pos(start));
  }

  private String identifier() throws SqlParseException {
    Token t = next("a name");
    if (t.quoted()) {
      return cased(t.text(), quotedCasing);
    }
    char c = t.text().charAt(0);
    if (!(Character.isLetter(c) || c == '_')) {
      throw error(t.offset(), "expected a name, found '" + t.text() + "'");
    }
    return cased(t.text(), unquotedCasing);
  }

  private static String cased(String s, Casing casing) {
    return switch (casing) {
      case TO_UPPER -> s.toUpperCase(Locale.ROOT);
      case TO_LOWER -> s.toLowerCase(Locale.ROOT);
      default -> s;
    };
  }

  private boolean ifExists() throws SqlParseException {
    if (accept("IF")) {
      expect("EXISTS");
      return true;
    }
    return false;
  }

  private boolean ifNotExists() throws SqlParseException {
    if (accept("IF")) {
      expect("NOT");
      expect("EXISTS");
      return true;
    }
    return false;
  }

  private Token peek() {
    return at < tokens.size() ? tokens.get(at) : null;
  }

  private boolean peekIs(String keyword) {
    Token t = peek();
    return t != null && t.is(keyword);
  }

  private boolean accept(String keyword) {
    if (peekIs(keyword)) {
      at++;
      return true;
    }
    return false;
  }

  private void expect(String... keywords) throws SqlParseException {
    Token t = peek();
    for (String k : keywords) {
      if (t != null && t.is(k)) {
        at++;
        return;
      }
    }
    String wanted = String.join(" or ", keywords);
    throw error(t == null ? sql.length() : t.offset(), "expected " + wanted + ", found "
        + (t == null ? "the end of the statement" : "'" + t.text() + "'"));
  }

  private Token next(String what) throws SqlParseException {
    Token t = peek();
    if (t == null) {
      throw error(sql.length(), "expected " + what + ", found the end of the statement");
    }
    at++;
    return t;
  }

  private void end() throws SqlParseException {
    Token t = peek();
    if (t != null) {
      throw error(t.offset(), "unexpected '" + t.text() + "' after the end of the statement");
    }
  }

  private SqlParserPos pos(int tokenIndex) {
    int offset = tokenIndex < tokens.size() ? tokens.get(tokenIndex).offset() : sql.length();
    int line = 1;
    int col = 1;
    for (int i = 0; i < offset && i < sql.length(); i++) {
      if (sql.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new SqlParserPos(line, col);
  }

  private SqlParseException error(int offset, String message) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < offset && i < sql.length(); i++) {
      if (sql.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    SqlParserPos p = new SqlParserPos(line, col);
    return new SqlParseException(message + " at line " + line + ", column " + col, p, null,
        null, null);
  }
}
