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
  REPLICA_GROUP("replicaGroup", Type.STRING, null),

  /**
   * {@code fence={"orders":{"3":120}}}: offsets (per collection, partition -> offset) this
   * connection's reads wait for, such as the {@code fence} of an HTTP write's answer. The
   * connection's own SQL writes add theirs. Default: none.
   */
  FENCE("fence", Type.STRING, null),

  /**
   * {@code readWaitMs=N}: how long a read may wait for the leaves to apply the connection's fence
   * before it fails; 0 reads without waiting. Default 5000.
   */
  READ_WAIT_MS("readWaitMs", Type.STRING, "5000"),

  /**
   * {@code monotonicReads=false}: this connection's reads wait for its writes alone, not for what
   * its earlier reads were answered from, so a read served by a replica behind the one that served
   * the previous read may see older data. Default true.
   */
  MONOTONIC_READS("monotonicReads", Type.STRING, "true");

  /** How long a read waits for its session's fence by default. */
  static final long DEFAULT_READ_WAIT_MS = 5_000;

  private static final Map<String, ClusterConnectionProperty> BY_NAME =
      Map.of("distributed", DISTRIBUTED, "DISTRIBUTED", DISTRIBUTED, "replicaGroup", REPLICA_GROUP,
          "REPLICAGROUP", REPLICA_GROUP, "fence", FENCE, "FENCE", FENCE,
          "readWaitMs", READ_WAIT_MS, "READWAITMS", READ_WAIT_MS,
          "monotonicReads", MONOTONIC_READS, "MONOTONICREADS", MONOTONIC_READS);

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

  /** The connection's {@code fence} property as given, or null. */
  public static String fence(CalciteConnectionConfig config) {
    if (!(config instanceof ConnectionConfigImpl impl)) {
      return null;
    }
    String f = impl.customPropertyValue(FENCE).getString(null);
    return f == null || f.isBlank() ? null : f.trim();
  }

  /**
   * The connection's {@code readWaitMs}, default {@value #DEFAULT_READ_WAIT_MS}.
   *
   * @throws IllegalArgumentException when it is not a whole number of milliseconds, at least 0
   */
  public static long readWaitMillis(CalciteConnectionConfig config) {
    if (!(config instanceof ConnectionConfigImpl impl)) {
      return DEFAULT_READ_WAIT_MS;
    }
    return readWaitMillis(impl.customPropertyValue(READ_WAIT_MS).getString(null));
  }

  /**
   * A {@code readWaitMs} value: milliseconds, at least 0; null or blank for the default.
   *
   * @throws IllegalArgumentException when it is not a whole number of milliseconds, at least 0
   */
  public static long readWaitMillis(String text) {
    if (text == null || text.isBlank()) {
      return DEFAULT_READ_WAIT_MS;
    }
    try {
      long ms = Long.parseLong(text.trim());
      if (ms >= 0) {
        return ms;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("connection property readWaitMs: expected milliseconds"
        + " (a whole number, at least 0), got " + text);
  }

  /**
   * The connection's {@code monotonicReads}, default true.
   *
   * @throws IllegalArgumentException when it is neither true nor false
   */
  public static boolean monotonicReads(CalciteConnectionConfig config) {
    if (!(config instanceof ConnectionConfigImpl impl)) {
      return true;
    }
    return monotonicReads(impl.customPropertyValue(MONOTONIC_READS).getString(null));
  }

  /**
   * A {@code monotonicReads} value: true or false; null or blank for the default (true).
   *
   * @throws IllegalArgumentException when it is neither
   */
  public static boolean monotonicReads(String text) {
    if (text == null || text.isBlank()) {
      return true;
    }
    return ConvergeConnectionProperty.parseBoolean(text, "connection property monotonicReads");
  }
}
