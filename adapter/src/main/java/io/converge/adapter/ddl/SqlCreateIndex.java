package io.converge.adapter.ddl;

import java.util.List;
import org.apache.calcite.sql.SqlCreate;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * {@code CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (column, ...)}. Calcite's core has no
 * node for it; Converge validates it and does nothing else, since every field is indexed.
 */
public final class SqlCreateIndex extends SqlCreate {
  static final SqlOperator OPERATOR = new SqlSpecialOperator("CREATE INDEX", SqlKind.CREATE_INDEX);

  public final SqlIdentifier name;
  public final SqlIdentifier table;
  public final SqlNodeList columns;
  public final boolean unique;

  public SqlCreateIndex(SqlParserPos pos, boolean ifNotExists, boolean unique, SqlIdentifier name,
      SqlIdentifier table, SqlNodeList columns) {
    super(OPERATOR, pos, false, ifNotExists);
    this.name = name;
    this.table = table;
    this.columns = columns;
    this.unique = unique;
  }

  @Override
  public List<SqlNode> getOperandList() {
    return List.of(name, table, columns);
  }

  @Override
  public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
    writer.keyword(unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX");
    if (ifNotExists) {
      writer.keyword("IF NOT EXISTS");
    }
    name.unparse(writer, leftPrec, rightPrec);
    writer.keyword("ON");
    table.unparse(writer, leftPrec, rightPrec);
    SqlWriter.Frame frame = writer.startList("(", ")");
    for (SqlNode c : columns) {
      writer.sep(",");
      c.unparse(writer, 0, 0);
    }
    writer.endList(frame);
  }
}
