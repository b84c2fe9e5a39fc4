package io.converge.cluster.chaos;

import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * Which query failures a client may retry: the kinds a fault explains (a broken or refused
 * connection, a leaf gone or not serving yet, "no live leaf serves" while the replica groups
 * rejoin a restarted broker, a fence the leaves have not reached while Kafka restarts, a
 * timeout). Anything else (a syntax or validation error, an internal error) is not
 * retryable: the run reports it.
 */
final class QueryFailures {
  private static final Pattern RETRYABLE = Pattern.compile("(?is).*("
      + "connection refused|connect timed out|broken pipe|connection reset|closed connection"
      + "|no Converge server|UNAVAILABLE|no live leaf serves|not served|unserved|not serving"
      + "|TIMEOUT|timed out|waits for|cancelled"
      + "|Kafka|leaf .* (stopped|gone|failed)|HTTP/1\\.1 header parser received no bytes"
      + "|unexpected end of stream|EOF"
      + ").*");

  private QueryFailures() {}

  static boolean retryable(SQLException e) {
    String state = e.getSQLState();
    if (state != null && (state.startsWith("08") || state.equals("HYT00")
        || state.equals("57014"))) {
      return true;
    }
    return RETRYABLE.matcher(messages(e)).matches();
  }

  /** The messages of the exception and its causes, one line. */
  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    int depth = 0;
    for (Throwable c = t; c != null && depth < 8; c = c.getCause(), depth++) {
      b.append(depth == 0 ? "" : " / caused by ").append(c.getClass().getSimpleName())
          .append(": ").append(c.getMessage());
    }
    String s = b.toString().replace('\n', ' ');
    return s.length() <= 600 ? s : s.substring(0, 600) + "...";
  }

  /** A short kind for counting: the SQL state and the first words of the innermost message. */
  static String kind(SQLException e) {
    Throwable root = e;
    for (int depth = 0; root.getCause() != null && depth < 8; depth++) {
      root = root.getCause();
    }
    String m = String.valueOf(root.getMessage()).replace('\n', ' ')
        .replaceAll("\\d+", "N");
    if (m.length() > 90) {
      m = m.substring(0, 90);
    }
    return e.getSQLState() + " " + root.getClass().getSimpleName() + ": " + m;
  }
}
