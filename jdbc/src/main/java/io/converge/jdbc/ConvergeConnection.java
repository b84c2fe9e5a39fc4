package io.converge.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.AvaticaPreparedStatement;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.UnregisteredDriver;

/**
 * Avatica's remote connection with one door for every call that executes a statement on the
 * server (plain, prepared, batches): before it, the statement's query timeout goes to the server
 * when the server does not have it yet; during it, the statement counts as in flight (a cancel
 * from another thread retries until the server has seen the execution); after a failure, a
 * timeout is rethrown as {@link java.sql.SQLTimeoutException}.
 */
final class ConvergeConnection extends AvaticaConnection {
  /** How long a cancel keeps retrying while the server has not yet started the execution. */
  static final long CANCEL_RETRY_SECONDS = 60;
  private static final long CANCEL_RETRY_PAUSE_MILLIS = 20;

  /** The server's statement control endpoint; null when the URL names no server. */
  private final StatementControl control;

  ConvergeConnection(UnregisteredDriver driver, AvaticaFactory factory, String url,
      Properties info) {
    super(driver, factory, url, info);
    this.control = StatementControl.of(config());
  }

  @Override
  protected Meta.ExecuteResult prepareAndExecuteInternal(AvaticaStatement statement, String sql,
      long maxRowCount) throws SQLException, NoSuchStatementException {
    StatementState state = StatementState.of(statement);
    if (state == null) {
      return super.prepareAndExecuteInternal(statement, sql, maxRowCount);
    }
    applyTimeout(statement, state);
    state.begin();
    try {
      return super.prepareAndExecuteInternal(statement, sql, maxRowCount);
    } catch (RuntimeException e) {
      SQLException timeout = ServerErrors.timeout(e, "Error while executing SQL \"" + sql + "\"");
      if (timeout != null) {
        throw timeout;
      }
      throw e;
    } finally {
      state.end();
    }
  }

  @Override
  protected ResultSet executeQueryInternal(AvaticaStatement statement, Meta.Signature signature,
      Meta.Frame firstFrame, QueryState queryState, boolean isUpdate) throws SQLException {
    // Only a prepared statement executes on the server here; the others arrive with their rows.
    StatementState state = statement instanceof ConvergePreparedStatement p ? p.state : null;
    if (state == null) {
      return super.executeQueryInternal(statement, signature, firstFrame, queryState, isUpdate);
    }
    applyTimeout(statement, state);
    state.begin();
    try {
      return super.executeQueryInternal(statement, signature, firstFrame, queryState, isUpdate);
    } catch (SQLException e) {
      throw ServerErrors.typed(e);
    } finally {
      state.end();
    }
  }

  @Override
  protected long[] executeBatchUpdateInternal(AvaticaPreparedStatement statement)
      throws SQLException {
    StatementState state = StatementState.of(statement);
    if (state == null) {
      return super.executeBatchUpdateInternal(statement);
    }
    applyTimeout(statement, state);
    state.begin();
    try {
      return super.executeBatchUpdateInternal(statement);
    } catch (SQLException e) {
      throw ServerErrors.typed(e);
    } catch (AvaticaClientRuntimeException e) {
      // Avatica's client lets a failed batch escape unchecked
      throw ServerErrors.fromBatch(e);
    } finally {
      state.end();
    }
  }

  @Override
  protected Meta.ExecuteBatchResult prepareAndUpdateBatch(AvaticaStatement statement,
      List<String> queries) throws NoSuchStatementException, SQLException {
    StatementState state = StatementState.of(statement);
    if (state == null) {
      return super.prepareAndUpdateBatch(statement, queries);
    }
    applyTimeout(statement, state);
    state.begin();
    try {
      return super.prepareAndUpdateBatch(statement, queries);
    } catch (RuntimeException e) {
      SQLException timeout = ServerErrors.timeout(e, "Error while executing a batch");
      if (timeout != null) {
        throw timeout;
      }
      if (e instanceof AvaticaClientRuntimeException a) {
        throw ServerErrors.fromBatch(a);
      }
      throw e;
    } finally {
      state.end();
    }
  }

  /**
   * Closing a connection whose server went away succeeds: nothing is left open there, and a pool
   * discarding the broken connection should not fail on it.
   */
  @Override
  public void close() throws SQLException {
    try {
      super.close();
    } catch (SQLException e) {
      if (e.getCause() instanceof RuntimeException r && ServerErrors.unreachable(r) != null) {
        return;
      }
      throw e;
    }
  }

  /** Avatica's client lets a server that went away escape unchecked here. */
  @Override
  public AvaticaStatement createStatement(int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) throws SQLException {
    try {
      return super.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability);
    } catch (RuntimeException e) {
      SQLException gone = ServerErrors.unreachable(e);
      if (gone != null) {
        throw gone;
      }
      throw e;
    }
  }

  /** Sends the statement's query timeout to the server unless the server already has it. */
  private void applyTimeout(AvaticaStatement statement, StatementState state)
      throws SQLException {
    if (control == null) {
      return;
    }
    int seconds = statement.getQueryTimeout();
    int statementId = statement.handle.id;
    if (state.needsTimeout(statementId, seconds)) {
      control.timeout(id, statementId, seconds);
      state.timeoutSent(statementId, seconds);
    }
  }

  /**
   * Cancels the statement on the server: its execution or fetch under way fails with
   * {@code 57014}, and its open result stops at the next row. When an execution is in flight but
   * has not reached the server yet, asks again every 20 ms until the server has seen it or it
   * ended (at most {@value #CANCEL_RETRY_SECONDS} s). False when this connection has no server
   * URL to send the cancel to.
   */
  boolean cancel(AvaticaStatement statement, StatementState state) throws SQLException {
    if (control == null) {
      return false;
    }
    ConvergeResultSet open = state.openResult();
    if (open != null) {
      open.cancelLocally();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CANCEL_RETRY_SECONDS);
    while (true) {
      boolean running = control.cancel(id, statement.handle.id);
      if (running || !state.inFlight() || System.nanoTime() - deadline > 0) {
        return true;
      }
      try {
        Thread.sleep(CANCEL_RETRY_PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }
  }
}
