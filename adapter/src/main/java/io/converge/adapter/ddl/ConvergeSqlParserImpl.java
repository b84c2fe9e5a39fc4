package io.converge.adapter.ddl;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.server.DdlExecutor;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParserImplFactory;
import org.apache.calcite.sql.parser.impl.SqlParserImpl;

/**
 * Calcite's SQL parser plus Converge's DDL ({@link ConvergeDdlParser}: CREATE / DROP TABLE,
 * CREATE / DROP INDEX), executed by {@link ConvergeDdlExecutor}. Every Converge connection sets
 * it: {@code parserFactory=io.converge.adapter.ddl.ConvergeSqlParserImpl#FACTORY}.
 *
 * <p>A statement is first checked for a DDL head ({@code CREATE TABLE}, {@code DROP INDEX}, ...);
 * anything else goes to Calcite's generated parser unchanged.
 */
public class ConvergeSqlParserImpl extends SqlParserImpl {
  /** The factory named by the {@code parserFactory} connection property. */
  public static final SqlParserImplFactory FACTORY = factory(ConvergeDdlExecutor.INSTANCE);

  /** This parser with another executor of its DDL (the cluster's aggregator has its own). */
  public static SqlParserImplFactory factory(DdlExecutor executor) {
    return new SqlParserImplFactory() {
      @Override
      public SqlAbstractParserImpl getParser(Reader reader) {
        return new ConvergeSqlParserImpl(readAll(reader));
      }

      @Override
      public DdlExecutor getDdlExecutor() {
        return executor;
      }
    };
  }

  private String sql;
  private Casing unquotedCasing = Casing.TO_UPPER;
  private Casing quotedCasing = Casing.UNCHANGED;

  ConvergeSqlParserImpl(String sql) {
    super(new StringReader(sql));
    this.sql = sql;
  }

  private static String readAll(Reader reader) {
    StringBuilder b = new StringBuilder();
    char[] buf = new char[4096];
    try {
      for (int n; (n = reader.read(buf)) > 0; ) {
        b.append(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toString();
  }

  @Override
  public void ReInit(Reader reader) {
    String text = readAll(reader);
    this.sql = text;
    super.ReInit(new StringReader(text));
  }

  @Override
  public void setUnquotedCasing(Casing unquotedCasing) {
    super.setUnquotedCasing(unquotedCasing);
    this.unquotedCasing = unquotedCasing;
  }

  @Override
  public void setQuotedCasing(Casing quotedCasing) {
    super.setQuotedCasing(quotedCasing);
    this.quotedCasing = quotedCasing;
  }

  @Override
  public SqlNode parseSqlStmtEof() throws Exception {
    SqlNode ddl = sql == null ? null : ConvergeDdlParser.parse(sql, unquotedCasing, quotedCasing);
    return ddl != null ? ddl : super.parseSqlStmtEof();
  }

  @Override
  public SqlNodeList parseSqlStmtList() throws Exception {
    SqlNode ddl = sql == null ? null : ConvergeDdlParser.parse(sql, unquotedCasing, quotedCasing);
    return ddl != null ? SqlNodeList.of(ddl) : super.parseSqlStmtList();
  }
}
