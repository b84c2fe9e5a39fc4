package io.converge.rules;

import java.sql.SQLException;

/**
 * Planning for statements whose every {@code ?} will be bound to a value of the type Calcite
 * inferred for it, exactly: the server's plan cache binds a plain query's compared literals this
 * way (a string for a character column, an integer in range for an integer one). A comparison
 * with such a parameter is then answered by storage alone, like one with a literal: no filter
 * above evaluates it again, so aggregates over it still fold in storage. A {@code NULL} bound
 * there selects nothing (the comparison is UNKNOWN, and parameters never go under NOT); a value
 * storage cannot compare exactly fails the execution rather than select a superset.
 *
 * <p>Statements prepared any other way (an application's {@code PreparedStatement}, which may bind
 * anything) keep the comparison in a Calcite filter above the index.
 */
public final class ExactParameters {
  private static final ThreadLocal<Boolean> PLANNING = new ThreadLocal<>();

  private ExactParameters() {}

  /** A preparation on this thread. */
  @FunctionalInterface
  public interface Preparation<T> {
    T prepare() throws SQLException;
  }

  /** Runs {@code preparation} (on this thread) with its parameters planned as exact. */
  public static <T> T prepare(Preparation<T> preparation) throws SQLException {
    Boolean outer = PLANNING.get();
    PLANNING.set(Boolean.TRUE);
    try {
      return preparation.prepare();
    } finally {
      if (outer == null) {
        PLANNING.remove();
      } else {
        PLANNING.set(outer);
      }
    }
  }

  /** Whether the statement being planned on this thread binds its parameters exactly. */
  static boolean planning() {
    return PLANNING.get() != null;
  }
}
