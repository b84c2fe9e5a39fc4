package io.converge.jdbc;

import java.sql.SQLException;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;

/**
 * A statement whose {@link #cancel()} reaches the server, and whose query timeout
 * ({@link #setQueryTimeout}, kept by Avatica) is sent to the server before its next execution
 * (see {@link ConvergeConnection}).
 */
final class ConvergeStatement extends AvaticaStatement {
  final StatementState state = new StatementState();

  ConvergeStatement(AvaticaConnection connection, Meta.StatementHandle h, int resultSetType,
      int resultSetConcurrency, int resultSetHoldability) {
    super(connection, h, resultSetType, resultSetConcurrency, resultSetHoldability);
  }

  /**
   * Cancels the execution or fetch under way on the server (it fails with {@code 57014}) and the
   * rest of the open result; the statement stays usable. Not synchronized: Avatica's own cancel
   * waits for a running execute to return, since both hold the statement's monitor.
   */
  @Override
  public void cancel() throws SQLException {
    checkOpen();
    if (!((ConvergeConnection) connection).cancel(this, state)) {
      super.cancel();
    }
  }
}
