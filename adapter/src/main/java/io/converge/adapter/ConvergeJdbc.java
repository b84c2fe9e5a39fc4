package io.converge.adapter;

import io.converge.storage.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Calcite JDBC URLs and connections for a Converge data directory.
 *
 * <p>The URL carries an inline model with one schema, {@value #SCHEMA} (the default schema),
 * backed by {@link ConvergeSchemaFactory} with caching off, plus:
 * <ul>
 *   <li>{@code unquotedCasing=UNCHANGED;caseSensitive=false}: {@code select status from orders}
 *       works with no quotes, and quoted names in any case resolve;
 *   <li>{@code typeSystem=}{@link ConvergeTypeSystem}: SUM widens instead of overflowing;
 *   <li>{@code parserFactory=}{@link io.converge.adapter.ddl.ConvergeSqlParserImpl}: Calcite's
 *       parser plus CREATE / DROP TABLE and CREATE / DROP INDEX.
 * </ul>
 */
public final class ConvergeJdbc {
  /** The schema holding the collections, default schema of every connection. */
  public static final String SCHEMA = "converge";

  /** Connection settings appended after the model in {@link #url}. */
  public static final String SETTINGS = "unquotedCasing=UNCHANGED;caseSensitive=false;"
      + "typeSystem=" + ConvergeTypeSystem.class.getName() + ";defaultSchema=" + SCHEMA
      + ";parserFactory=" + io.converge.adapter.ddl.ConvergeSqlParserImpl.class.getName()
      + "#FACTORY";

  private ConvergeJdbc() {}

  /** A {@code jdbc:calcite:} URL with an inline model over {@code dataDir} (made absolute). */
  public static String url(Path dataDir) {
    return "jdbc:calcite:model=" + quote("inline:" + model(dataDir)) + ";" + SETTINGS;
  }

  /**
   * Like {@link #url(Path)}, with the connection property {@code pushdown} set: false turns
   * Converge's planner rules off (every query is a column scan with Calcite's operators above).
   */
  public static String url(Path dataDir, boolean pushdown) {
    return url(dataDir) + ";" + ConvergeConnectionProperty.PUSHDOWN.camelName() + "=" + pushdown;
  }

  /** The JSON model (as a string) of a single Converge schema over {@code dataDir}. */
  public static String model(Path dataDir) {
    return model(dataDir, null);
  }

  /**
   * The JSON model of a single Converge schema over {@code dataDir}, with the schema operand
   * {@code pushdown} when not null (the default for connections that do not set the
   * {@code pushdown} connection property).
   */
  public static String model(Path dataDir, Boolean pushdown) {
    String dir = dataDir.toAbsolutePath().normalize().toString();
    return "{\"version\":\"1.0\",\"defaultSchema\":\"" + SCHEMA + "\",\"schemas\":[{"
        + "\"name\":\"" + SCHEMA + "\",\"type\":\"custom\","
        + "\"factory\":\"" + ConvergeSchemaFactory.class.getName() + "\","
        + "\"cache\":false,"
        + "\"operand\":{\"" + ConvergeSchemaFactory.DATA_DIR + "\":" + jsonString(dir)
        + (pushdown == null ? "" : ",\"" + ConvergeSchemaFactory.PUSHDOWN + "\":" + pushdown)
        + "}}]}";
  }

  /**
   * Opens an embedded Calcite connection over {@code dataDir}. A directory that cannot be opened
   * (for example, locked by another process) fails with an SQLException carrying the storage
   * layer's message, not Calcite's model-loading wrapper.
   */
  public static Connection connect(Path dataDir) throws SQLException {
    return connect(dataDir, new Properties());
  }

  /** {@link #connect(Path)} with the connection property {@code pushdown} set. */
  public static Connection connect(Path dataDir, boolean pushdown) throws SQLException {
    Properties p = new Properties();
    p.setProperty(ConvergeConnectionProperty.PUSHDOWN.camelName(), Boolean.toString(pushdown));
    return connect(dataDir, p);
  }

  /**
   * {@link #connect(Path)} with extra connection properties (for example {@code pushdown}).
   */
  public static Connection connect(Path dataDir, Properties properties) throws SQLException {
    try {
      Class.forName("org.apache.calcite.jdbc.Driver");
    } catch (ClassNotFoundException e) {
      throw new SQLException("Calcite's JDBC driver is not on the class path", e);
    }
    try {
      ConvergeSchemaFactory.store(dataDir);
    } catch (StoreException e) {
      throw new SQLException(e.getMessage(), "08001", e);
    }
    return DriverManager.getConnection(url(dataDir), properties);
  }

  /** A JSON string literal. */
  static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
      case '"' -> b.append("\\\"");
      case '\\' -> b.append("\\\\");
      case '\n' -> b.append("\\n");
      case '\r' -> b.append("\\r");
      case '\t' -> b.append("\\t");
      default -> {
        if (c < 0x20) {
          b.append(String.format("\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
      }
    }
    return b.append('"').toString();
  }

  /** A {@code jdbc:calcite:} URL with an inline model ({@link #model(Path, Boolean)}). */
  public static String urlWithModel(String model) {
    return "jdbc:calcite:model=" + quote("inline:" + model) + ";" + SETTINGS;
  }

  /** A connect-string value in single quotes, embedded single quotes doubled (Avatica's rule). */
  static String quote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
