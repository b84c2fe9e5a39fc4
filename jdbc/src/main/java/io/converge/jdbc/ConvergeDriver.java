package io.converge.jdbc;

import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.DriverVersion;
import org.apache.calcite.avatica.remote.Driver;

/**
 * The Converge JDBC driver: Avatica's remote driver under its own URL prefix, whose statements
 * also send {@code Statement.cancel()} and {@code Statement.setQueryTimeout(s)} to the server.
 *
 * <pre>
 * jdbc:converge:remote:url=http://127.0.0.1:8765;serialization=protobuf
 * </pre>
 *
 * <p>Everything after the prefix means what it means to Avatica's driver ({@code url},
 * {@code serialization}, {@code authentication=BASIC}, {@code avatica_user},
 * {@code avatica_password}, ...); the queries travel through the Avatica protocol as before. Avatica
 * 1.28's protocol carries neither a cancel nor a timeout, so the statements of this driver
 * ({@link ConvergeStatement}, {@link ConvergePreparedStatement}) reach the server's statement
 * control endpoint for those two ({@link StatementControl}): a cancel from another thread stops the
 * execution or fetch under way with SQL state {@code 57014}, and a timeout stops it with a
 * {@link java.sql.SQLTimeoutException} ({@code HYT00}). Server errors of those two kinds are
 * rethrown with that type and state (see {@link ServerErrors}).
 *
 * <p><b>Several servers.</b> {@code url} may list several servers separated by commas (the
 * aggregators of a cluster: {@code url=http://h1:8765,http://h2:8765}); a connection goes to the
 * first of them that accepts it, in order. A connection stays with its server: when that server
 * goes away, its statements fail, and a new connection (a pool's next one) goes to a live server.
 */
public class ConvergeDriver extends Driver {
  /** The URL prefix of this driver. */
  public static final String CONNECT_STRING_PREFIX = "jdbc:converge:remote:";

  static {
    new ConvergeDriver().register();
  }

  public ConvergeDriver() {
    super();
  }

  /**
   * Connects to the first server of {@code url} that accepts the connection (see the class
   * comment); a URL naming one server connects as Avatica's driver does.
   */
  @Override
  public java.sql.Connection connect(String url, java.util.Properties info)
      throws java.sql.SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    FailoverUrl failover = FailoverUrl.parse(url);
    if (failover == null) {
      return super.connect(url, info);
    }
    java.sql.SQLException failed = null;
    for (String candidate : failover.candidates()) {
      try {
        return super.connect(candidate, info);
      } catch (java.sql.SQLException | RuntimeException e) {
        java.sql.SQLException reason = e instanceof java.sql.SQLException s ? s
            : new java.sql.SQLException(e.getMessage(), "08001", e);
        if (failed == null) {
          failed = new java.sql.SQLException("no Converge server of " + failover.servers()
              + " accepted the connection; the first said: " + reason.getMessage(), "08001",
              reason);
        } else {
          failed.addSuppressed(reason);
        }
      }
    }
    throw failed;
  }

  @Override
  protected String getConnectStringPrefix() {
    return CONNECT_STRING_PREFIX;
  }

  @Override
  protected AvaticaFactory createFactory() {
    return new ConvergeJdbcFactory();
  }

  @Override
  protected DriverVersion createDriverVersion() {
    return DriverVersion.load(ConvergeDriver.class, "io-converge-jdbc.properties",
        "Converge JDBC Driver", "unknown version", "Converge", "unknown version");
  }
}
