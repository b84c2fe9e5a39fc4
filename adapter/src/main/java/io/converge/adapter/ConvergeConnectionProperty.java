package io.converge.adapter;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.calcite.avatica.ConnectionConfigImpl;
import org.apache.calcite.avatica.ConnectionProperty;
import org.apache.calcite.avatica.ConnectionPropertyValue;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.plan.Context;

/**
 * Converge's own connection properties, read from the connection's properties (the
 * {@code jdbc:calcite:} URL, the {@code Properties} given to {@code DriverManager}, or the
 * properties an Avatica client sends with {@code jdbc:avatica:remote:...;pushdown=false}).
 */
public enum ConvergeConnectionProperty implements ConnectionProperty {
  /**
   * {@code pushdown=false} turns every Converge planner rule off (the rules module's index,
   * aggregate and lookup access paths): queries run as column-pruning scans with Calcite's own
   * operators above, exactly as before the rules existed. Default true. (Typed STRING so that
   * "not set" can be told apart; {@link #parseBoolean} reads it.)
   */
  PUSHDOWN("pushdown", Type.STRING, "true");

  private static final Map<String, ConvergeConnectionProperty> BY_NAME =
      Map.of("pushdown", PUSHDOWN, "PUSHDOWN", PUSHDOWN);

  private final String camelName;
  private final Type type;
  private final Object defaultValue;

  ConvergeConnectionProperty(String camelName, Type type, Object defaultValue) {
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

  /**
   * The value of {@code property} on the connection a planner works for, or null when the
   * connection does not set it (or the planner has no connection config).
   */
  public static String value(Context plannerContext, ConvergeConnectionProperty property) {
    CalciteConnectionConfig config = plannerContext == null ? null
        : plannerContext.maybeUnwrap(CalciteConnectionConfig.class).orElse(null);
    if (!(config instanceof ConnectionConfigImpl impl)) {
      return null;
    }
    return impl.customPropertyValue(property).getString(null);
  }

  /** Parses a boolean setting ({@code true}/{@code false}, any case); null when absent. */
  public static Boolean parseBoolean(Object value, String what) {
    if (value == null) {
      return null;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String s = value.toString().trim().toLowerCase(Locale.ROOT);
    if (s.equals("true")) {
      return true;
    }
    if (s.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException(what + " must be true or false, not '" + value + "'");
  }
}
