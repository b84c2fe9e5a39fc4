package io.converge.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.List;
import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.junit.jupiter.api.Test;

/** The driver's bookkeeping without a server: when a timeout is sent, how errors are typed. */
class StatementStateTest {
  @Test
  void aTimeoutIsSentOncePerValueAndAgainForANewServerStatement() {
    StatementState state = new StatementState();
    assertFalse(state.needsTimeout(7, 0), "a new statement has no timeout on the server");
    assertTrue(state.needsTimeout(7, 5));
    state.timeoutSent(7, 5);
    assertFalse(state.needsTimeout(7, 5));
    assertTrue(state.needsTimeout(7, 0), "going back to none must reach the server");
    assertTrue(state.needsTimeout(8, 5), "Avatica replaced the server statement");
  }

  @Test
  void serverTimeoutsBecomeSQLTimeoutExceptions() {
    SQLException plain = new SQLException("query timed out: ...", "HYT00");
    SQLException typed = ServerErrors.typed(plain);
    assertInstanceOf(SQLTimeoutException.class, typed);
    assertEquals("HYT00", typed.getSQLState());
    SQLException canceled = new SQLException("query canceled", "57014");
    assertSame(canceled, ServerErrors.typed(canceled));

    AvaticaClientRuntimeException fromServer = new AvaticaClientRuntimeException(
        "query timed out", -1, "HYT00", AvaticaSeverity.ERROR, List.of(), null);
    SQLException t = ServerErrors.timeout(fromServer, "Error while executing SQL \"x\"");
    assertInstanceOf(SQLTimeoutException.class, t);
    assertTrue(t.getMessage().contains("query timed out"), t.getMessage());
    AvaticaClientRuntimeException other = new AvaticaClientRuntimeException(
        "no such table", -1, "42000", AvaticaSeverity.ERROR, List.of(), null);
    assertEquals(null, ServerErrors.timeout(other, "x"));
    assertEquals("57014", ServerErrors.fromFetch(new AvaticaClientRuntimeException(
        "query canceled", -1, "57014", AvaticaSeverity.ERROR, List.of(), null)).getSQLState());
  }

  @Test
  void errorBodiesOfTheEndpointAreRead() {
    assertEquals(": user 'bob' may only cancel \"x\"", StatementControl.errorMessage(
        "{\"error\":\"user 'bob' may only cancel \\\"x\\\"\",\"status\":403}"));
    assertEquals("", StatementControl.errorMessage("<html>not json</html>"));
  }
}
