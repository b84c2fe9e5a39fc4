package io.converge.jdbc;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.calcite.avatica.AvaticaStatement;

/**
 * What the driver tracks of one statement for cancel and timeouts: how many calls to the server
 * (executions and fetches) are under way, the statement's latest result set, and the timeout the
 * server already has for it.
 */
final class StatementState {
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile ConvergeResultSet openResult;
  /** The server statement id the timeout was sent for (-1: none yet); guarded by this. */
  private int sentStatementId = -1;
  private int sentSeconds;

  /** The state of a Converge statement, null for any other. */
  static StatementState of(AvaticaStatement statement) {
    if (statement instanceof ConvergeStatement s) {
      return s.state;
    }
    if (statement instanceof ConvergePreparedStatement p) {
      return p.state;
    }
    return null;
  }

  void begin() {
    inFlight.incrementAndGet();
  }

  void end() {
    inFlight.decrementAndGet();
  }

  /** Whether an execution or fetch of this statement is waiting for the server. */
  boolean inFlight() {
    return inFlight.get() > 0;
  }

  void openResult(ConvergeResultSet rs) {
    openResult = rs;
  }

  ConvergeResultSet openResult() {
    return openResult;
  }

  /**
   * Whether the server must be told {@code seconds} for statement {@code statementId}: the value
   * changed, or the statement is new to the server (which starts every statement without a
   * timeout of its own).
   */
  synchronized boolean needsTimeout(int statementId, int seconds) {
    return sentStatementId == statementId ? sentSeconds != seconds : seconds != 0;
  }

  synchronized void timeoutSent(int statementId, int seconds) {
    sentStatementId = statementId;
    sentSeconds = seconds;
  }
}
