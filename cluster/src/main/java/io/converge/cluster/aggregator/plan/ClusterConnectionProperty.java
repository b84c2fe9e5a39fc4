package io.converge.cluster.aggregator.plan;

import io.converge.adapter.ConvergeConnectionProperty;
import java.util.Map;
import java.util.Properties;
import org.apache.calcite.avatica.ConnectionConfigImpl;
import org.apache.calcite.avatica.ConnectionProperty;
import org.apache.calcite.avatica.ConnectionPropertyValue;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.plan.Context;

/** An aggregator connection's own properties (URL, {@code Properties}, or Avatica client's). */
public enum ClusterConnectionProperty implements ConnectionProperty {
  /**
   * {@code distributed=false}: push nothing below the gather but the scan, so every leaf returns
   * its raw rows and the aggregator plans the whole query, as a check that pushdown changes no
   * answer. Default true.
   */
  DISTRIBUTED("distributed", Type.STRING, "true"),

  /**
   * {@code replicaGroup=G}: route this connection's fragments to replica group G's leaves where
   * they are as fresh as any other replica (compute isolation between groups). Default: none.
   */
  REPLICA_GROUP("replicaGroup", Type.STRING, null);

  private static final Map<String, ClusterConnectionProperty> BY_NAME =
      Map.of("distributed", DISTRIBUTED, "DISTRIBUTED", DISTRIBUTED, "replicaGroup", REPLICA_GROUP,
          "REPLICAGROUP", REPLICA_GROUP);

  private final String camelName;
  private final Type type;
  private final Object defaultValue;

  ClusterConnectionProperty(String camelName, Type type, Object defaultValue) {
    this.camelName = camelName;
    this.type = type;
    this.defaultValue = defaultValue;
  }

  @Override
  public String camelName() {
    return camelName;
  }

  @Override
  public Object defaultValue() {
    return defaultValue;
  }

  @Override
  public Type type() {
    return type;
  }

  @Override
  public ConnectionPropertyValue wrap(Properties properties) {
    return new ConnectionConfigImpl.PropEnv(ConnectionConfigImpl.parse(properties, BY_NAME), this);
  }

  @Override
  public boolean required() {
    return false;
  }

  @Override
  public Class<?> valueClass() {
    return type.defaultValueClass();
  }

  /** Whether the connection a planner works for pushes operators below gathers (default true). */
  public static boolean distributed(Context plannerContext) {
    CalciteConnectionConfig config = plannerContext == null ? null
        : plannerContext.maybeUnwrap(CalciteConnectionConfig.class).orElse(null);
    if (!(config instanceof ConnectionConfigImpl impl)) {
      return true;
    }
    Boolean b = ConvergeConnectionProperty.parseBoolean(
        impl.customPropertyValue(DISTRIBUTED).getString(null), "connection property distributed");
    return b == null || b;
  }

  /** The replica group the connection a planner works for prefers, or null. */
  public static String replicaGroup(Context plannerContext) {
    CalciteConnectionConfig config = plannerContext == null ? null
        : plannerContext.maybeUnwrap(CalciteConnectionConfig.class).orElse(null);
    if (!(config instanceof ConnectionConfigImpl impl)) {
      return null;
    }
    String g = impl.customPropertyValue(REPLICA_GROUP).getString(null);
    return g == null || g.isBlank() ? null : g.trim();
  }
}
