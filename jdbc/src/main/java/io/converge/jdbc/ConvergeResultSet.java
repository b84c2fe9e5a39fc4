package io.converge.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.TimeZone;
import org.apache.calcite.avatica.AvaticaResultSet;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.QueryState;

/**
 * Avatica's result set whose {@code next()} stops once its statement was canceled (rows already
 * in the client's frame included) and reports fetch errors as SQLExceptions with the server's
 * state: {@code 57014} canceled, {@link java.sql.SQLTimeoutException} for a timeout.
 */
final class ConvergeResultSet extends AvaticaResultSet {
  private final StatementState state;
  private volatile boolean canceled;

  ConvergeResultSet(AvaticaStatement statement, QueryState queryState, Meta.Signature signature,
      ResultSetMetaData metaData, TimeZone timeZone, Meta.Frame firstFrame) throws SQLException {
    super(statement, queryState, signature, metaData, timeZone, firstFrame);
    this.state = StatementState.of(statement);
  }

  /** The statement was canceled: the next {@code next()} fails with {@code 57014}. */
  void cancelLocally() {
    canceled = true;
  }

  @Override
  public boolean next() throws SQLException {
    if (canceled && !isClosed()) {
      throw ServerErrors.canceled();
    }
    if (state != null) {
      state.begin();
    }
    try {
      return super.next();
    } catch (RuntimeException e) {
      throw ServerErrors.fromFetch(e);
    } finally {
      if (state != null) {
        state.end();
      }
    }
  }
}
