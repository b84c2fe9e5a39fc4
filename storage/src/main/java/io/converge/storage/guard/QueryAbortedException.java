package io.converge.storage.guard;

/**
 * A query stopped before its end: canceled, past its timeout, or over its memory limit. Thrown by
 * Converge's read loops from {@link QueryGuard#check()}; the message is meant for the user, and
 * {@link #sqlState()} gives the SQL state a JDBC layer should report.
 */
public final class QueryAbortedException extends RuntimeException {
  /** Why a query was stopped. */
  public enum Reason {
    /** {@code Statement.cancel()}, or the client's statement or connection was closed. */
    CANCELED("57014"),
    /** The query ran longer than its timeout. */
    TIMEOUT("HYT00"),
    /** The query held more memory than its limit, or the heap ran short while it ran. */
    MEMORY("53200");

    private final String sqlState;

    Reason(String sqlState) {
      this.sqlState = sqlState;
    }
  }

  private final Reason reason;

  public QueryAbortedException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** {@code 57014} canceled, {@code HYT00} timeout, {@code 53200} out of memory. */
  public String sqlState() {
    return reason.sqlState;
  }

  /** The first QueryAbortedException in a cause chain, or null. */
  public static QueryAbortedException in(Throwable t) {
    for (int depth = 0; t != null && depth < 50; depth++, t = t.getCause()) {
      if (t instanceof QueryAbortedException q) {
        return q;
      }
      for (Throwable s : t.getSuppressed()) {
        if (s instanceof QueryAbortedException q) {
          return q;
        }
      }
    }
    return null;
  }
}
