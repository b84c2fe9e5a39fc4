package io.converge.cluster.aggregator.write;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Looks a document up with {@code SELECT 1 FROM "c" WHERE "_id" = ?} through a Calcite
 * connection of the aggregator's own schema (an {@code _id} lookup goes to the one shard that
 * owns the key). One connection per lookup: deletes by HTTP are rare next to queries.
 */
public final class SqlDocumentLookup implements DocumentLookup {
  private final String calciteUrl;

  public SqlDocumentLookup(String calciteUrl) {
    this.calciteUrl = calciteUrl;
  }

  @Override
  public boolean exists(String collection, String id) {
    String sql = "SELECT 1 FROM \"" + collection.replace("\"", "\"\"") + "\" WHERE \"_id\" = ?";
    try (Connection c = DriverManager.getConnection(calciteUrl);
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot look up _id '" + id + "' in '" + collection + "': "
          + e.getMessage(), e);
    }
  }
}
