package io.converge.cluster.aggregator.write;

/**
 * Kafka did not acknowledge a write: nothing of it may be answered as written. The message is one
 * line, fit for an HTTP 503 answer or a JDBC error.
 */
public final class LogWriteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LogWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
