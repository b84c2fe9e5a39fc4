package io.converge.jdbc;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaConnection;

/**
 * Server errors as JDBC types: Avatica's client reports every server error as an
 * {@code AvaticaSqlException} (or, from a fetch, an unchecked {@link AvaticaClientRuntimeException})
 * carrying the server's SQL state. A timeout ({@value #TIMEOUT}) becomes a
 * {@link SQLTimeoutException}; a cancel keeps Avatica's exception, with state {@value #CANCELED}.
 */
final class ServerErrors {
  /** SQL state of a query stopped by its timeout. */
  static final String TIMEOUT = "HYT00";
  /** SQL state of a canceled query. */
  static final String CANCELED = "57014";

  private ServerErrors() {}

  /** {@code e}, or a {@link SQLTimeoutException} wrapping it when its state is a timeout. */
  static SQLException typed(SQLException e) {
    if (TIMEOUT.equals(e.getSQLState()) && !(e instanceof SQLTimeoutException)) {
      return new SQLTimeoutException(e.getMessage(), TIMEOUT, e.getErrorCode(), e);
    }
    return e;
  }

  /**
   * A {@link SQLTimeoutException} for an unchecked server error that is a timeout, else null
   * (the caller rethrows the original, which Avatica turns into an SQLException as before).
   */
  static SQLException timeout(RuntimeException e, String context) {
    if (e instanceof AvaticaClientRuntimeException a && TIMEOUT.equals(a.getSqlState())) {
      return typed(AvaticaConnection.HELPER.createException(context + ": " + e.getMessage(), e));
    }
    return null;
  }

  /** An unchecked error of a fetch as the SQLException JDBC promises, with the server's state. */
  static SQLException fromFetch(RuntimeException e) {
    return typed(AvaticaConnection.HELPER.createException(
        "Error while fetching results: " + e.getMessage(), e));
  }

  /** A failed batch as the SQLException JDBC promises, with the server's state. */
  static SQLException fromBatch(AvaticaClientRuntimeException e) {
    return typed(AvaticaConnection.HELPER.createException(
        "Error while executing a batch: " + e.getMessage(), e));
  }

  /** SQL state of a connection whose server cannot be reached. */
  static final String UNREACHABLE = "08006";

  /**
   * An error of the HTTP exchange itself (the server gone: refused, reset) as the
   * {@link java.sql.SQLRecoverableException} JDBC names for "close the connection and open
   * another", with state {@value #UNREACHABLE}; null for any other error.
   */
  static SQLException unreachable(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException io) {
        return new java.sql.SQLRecoverableException("the Converge server cannot be reached ("
            + io.getMessage() + "); open a new connection", UNREACHABLE, e);
      }
    }
    return null;
  }

  static SQLException canceled() {
    return new SQLException("query canceled", CANCELED);
  }
}
