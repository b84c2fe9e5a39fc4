package io.converge.cluster.aggregator.plan;

import io.converge.adapter.ConvergeJdbc;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Calcite JDBC URLs for an aggregator: one schema, {@value ConvergeJdbc#SCHEMA}, of the cluster's
 * collections ({@link ClusterSchemaFactory}), with the one-process connections' settings
 * ({@link ConvergeJdbc#SETTINGS}: casing, type system, parser), so that a query parses and types
 * exactly as on one node.
 */
public final class ClusterJdbc {
  private ClusterJdbc() {}

  /** The inline JSON model of the cluster schema over a registered {@link ClusterRuntime}. */
  public static String model(String runtimeId) {
    return "{\"version\":\"1.0\",\"defaultSchema\":\"" + ConvergeJdbc.SCHEMA + "\",\"schemas\":[{"
        + "\"name\":\"" + ConvergeJdbc.SCHEMA + "\",\"type\":\"custom\","
        + "\"factory\":\"" + ClusterSchemaFactory.class.getName() + "\",\"cache\":false,"
        + "\"operand\":{\"" + ClusterSchemaFactory.RUNTIME + "\":\"" + runtimeId + "\"}}]}";
  }

  /** A {@code jdbc:calcite:} URL over the runtime registered as {@code runtimeId}. */
  public static String url(String runtimeId) {
    return ConvergeJdbc.urlWithModel(model(runtimeId));
  }

  /** {@link #url(String)} with {@code distributed} set ({@link ClusterConnectionProperty}). */
  public static String url(String runtimeId, boolean distributed) {
    return url(runtimeId) + ";" + ClusterConnectionProperty.DISTRIBUTED.camelName() + "="
        + distributed;
  }

  /** Opens an aggregator connection in this process. */
  public static Connection connect(String runtimeId, Properties properties) throws SQLException {
    try {
      Class.forName("org.apache.calcite.jdbc.Driver");
    } catch (ClassNotFoundException e) {
      throw new SQLException("Calcite's JDBC driver is not on the class path", e);
    }
    return DriverManager.getConnection(url(runtimeId), properties);
  }
}
