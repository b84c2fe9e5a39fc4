package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error a client sees is one line that starts with the reason and carries a SQL state.
 * Avatica's client puts its own prefix before the server's line ({@code Error -1 (state) : Error
 * while executing SQL "...": Remote driver error: }); the server's part is checked after it.
 */
class ClientErrorsTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  private static final String SERVER_PART = "Remote driver error: ";

  static Connection connection;

  @BeforeAll
  static void connect() throws SQLException {
    connection = SERVER.connect();
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        // percentiles run over DOUBLE values only (PercentileTest)
        Arguments.of("select percentile_cont(0.5) within group (order by quantity) from orders",
            "0A000", "not supported: PERCENTILE_CONT (Converge cannot execute this aggregate)"),
        Arguments.of("select percentile_disc(0.5) within group (order by quantity) from orders",
            "0A000", "not supported: PERCENTILE_DISC (Converge cannot execute this aggregate)"),
        Arguments.of("select percentile_cont(0.5) within group (order by status) from orders",
            "42000", "Invalid type 'VARCHAR' in ORDER BY clause of 'PERCENTILE_CONT' function."
            + " Only NUMERIC types are supported (line 1, column 43)"),
        Arguments.of("select median(amount) from orders",
            "42000", "No match found for function signature median(<NUMERIC>) (line 1, column 8)"),
        Arguments.of("select * from nope",
            "42S02", "Object 'nope' not found (line 1, column 15)"),
        Arguments.of("select nope from orders",
            "42S22", "Column 'nope' not found in any table (line 1, column 8)"),
        Arguments.of("select o.x from orders o",
            "42S22", "Column 'x' not found in table 'o' (line 1, column 10)"),
        Arguments.of("select status from orders where",
            "42000", "syntax error: Encountered \"<EOF>\" at line 1, column 31."),
        Arguments.of("select status + 1 from orders where amount = 'abc'",
            "22018", "cannot convert to a number: For input string: \"abc\""),
        Arguments.of("select quantity / (quantity - quantity) from orders",
            "22012", "division by zero"),
        Arguments.of("select 1 / 0", "22012", "division by zero"));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void theErrorIsOneLineWithItsReasonFirstAndAState(String sql, String state, String reason) {
    SQLException e = assertThrows(SQLException.class, () -> Sql.rows(connection, sql), sql);
    String message = e.getMessage();
    assertEquals(state, e.getSQLState(), message);
    assertFalse(message.contains("\n"), "one line: " + message);
    assertTrue(message.contains(SERVER_PART), message);
    assertEquals(reason, message.substring(message.indexOf(SERVER_PART) + SERVER_PART.length()));
  }

  @Test
  void aFailedPrepareCarriesTheStateAndTheReasonInTheServerTrace() {
    SQLException e = assertThrows(SQLException.class,
        () -> connection.prepareStatement("select * from orders where nope = ?"));
    assertEquals("42S22", e.getSQLState());
    assertTrue(BadInputTest.messages(e).contains(
        "Column 'nope' not found in any table (line 1, column 28)"), BadInputTest.messages(e));
  }

  @Test
  void theServerKeepsServingAfterEachError() throws SQLException {
    for (Arguments a : errors().toList()) {
      assertThrows(SQLException.class, () -> Sql.rows(connection, (String) a.get()[0]));
    }
    assertEquals(300L, Sql.scalar(connection, "select count(*) from orders"));
  }
}
