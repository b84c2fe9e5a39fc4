package io.converge.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaDatabaseMetaData;

/**
 * Avatica's database metadata plus primary keys. Avatica's remote protocol has no primary-key
 * request (its client answers an empty result), so this driver asks the server's
 * {@code metadata.COLUMNS} table: every Converge collection is keyed by its {@code _id}.
 */
final class ConvergeDatabaseMetaData extends AvaticaDatabaseMetaData {
  /** The key column of every collection. */
  static final String KEY_COLUMN = "_id";

  private static final String PRIMARY_KEYS = "select cast(null as varchar) as \"TABLE_CAT\","
      + " \"tableSchem\" as \"TABLE_SCHEM\", \"tableName\" as \"TABLE_NAME\","
      + " \"columnName\" as \"COLUMN_NAME\", cast(1 as smallint) as \"KEY_SEQ\","
      + " cast(\"tableName\" || '_pkey' as varchar) as \"PK_NAME\""
      + " from \"metadata\".\"COLUMNS\" where \"columnName\" = '" + KEY_COLUMN + "'"
      + " and \"tableName\" = ? and (cast(? as varchar) is null or \"tableSchem\" = ?)"
      + " order by \"COLUMN_NAME\"";

  ConvergeDatabaseMetaData(AvaticaConnection connection) {
    super(connection);
  }

  /**
   * The {@code _id} column of the named table (JDBC: {@code table} is a name, not a pattern;
   * a null {@code schema} matches every schema). The catalog is ignored: Converge has none.
   */
  @Override
  public ResultSet getPrimaryKeys(String catalog, String schema, String table)
      throws SQLException {
    PreparedStatement statement = getConnection().prepareStatement(PRIMARY_KEYS);
    try {
      statement.setString(1, table);
      statement.setString(2, schema);
      statement.setString(3, schema);
      statement.closeOnCompletion();
      return statement.executeQuery();
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
    }
  }
}
