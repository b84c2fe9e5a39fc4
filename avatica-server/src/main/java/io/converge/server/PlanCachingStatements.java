package io.converge.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Wraps a server-side connection so that its plain statements run through a
 * {@link StatementPlanCache}: {@code execute(sql)} (and {@code executeQuery} /
 * {@code executeUpdate}) take a prepared statement of the same text, copy the statement's
 * settings (max rows, fetch size, timeout) onto it and execute it; the result methods then answer
 * from it. A text that cannot be prepared runs as a plain statement, so errors read as before.
 */
final class PlanCachingStatements {
  private PlanCachingStatements() {}

  static Connection wrap(Connection connection, StatementPlanCache cache) {
    return (Connection) Proxy.newProxyInstance(PlanCachingStatements.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          Object result = invoke(connection, method, args);
          if (method.getName().equals("createStatement") && result instanceof Statement s) {
            return Proxy.newProxyInstance(PlanCachingStatements.class.getClassLoader(),
                new Class<?>[] {Statement.class}, new StatementHandler(s, cache));
          }
          return result;
        });
  }

  /**
   * Before a new execution of {@code statement} (a plain statement of a wrapped connection; any
   * other is left alone): a cancel of an earlier execution no longer applies. The canceled
   * prepared statement is closed, never reused (its Calcite cancel flag stays set).
   */
  static void clearCancel(Statement statement) {
    if (statement != null && Proxy.isProxyClass(statement.getClass())
        && Proxy.getInvocationHandler(statement) instanceof StatementHandler h) {
      h.clearCancel();
    }
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** One plain statement; {@code active} is the prepared statement of its last execution. */
  private static final class StatementHandler implements InvocationHandler {
    private final Statement target;
    private final StatementPlanCache cache;
    private StatementPlanCache.Lease active;
    /** The prepared statement of an execution under way (cancel reaches it from another thread). */
    private volatile PreparedStatement executing;
    /** A cancel reached the active statement: it is closed, never handed to another execution. */
    private volatile boolean canceled;
    private long maxRows;
    private int fetchSize;
    private int queryTimeout;

    StatementHandler(Statement target, StatementPlanCache cache) {
      this.target = target;
      this.cache = cache;
    }

    /** See {@link PlanCachingStatements#clearCancel}. */
    void clearCancel() {
      if (canceled) {
        releaseActive();
        canceled = false;
      }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      switch (name) {
        case "execute", "executeQuery", "executeUpdate", "executeLargeUpdate" -> {
          if (args != null && args.length == 1 && args[0] instanceof String sql) {
            return execute(name, sql);
          }
        }
        case "getResultSet" -> {
          if (active != null) {
            return limited(active.statement().getResultSet());
          }
        }
        case "getUpdateCount", "getLargeUpdateCount", "getMoreResults" -> {
          if (active != null) {
            return PlanCachingStatements.invoke(active.statement(), method, args);
          }
        }
        case "setMaxRows" -> maxRows = (Integer) args[0];
        case "setLargeMaxRows" -> maxRows = (Long) args[0];
        case "setFetchSize" -> fetchSize = (Integer) args[0];
        case "setQueryTimeout" -> queryTimeout = (Integer) args[0];
        case "cancel" -> {
          canceled = true;
          PreparedStatement running = executing;
          StatementPlanCache.Lease last = active;
          if (running != null) {
            running.cancel();
          } else if (last != null) {
            last.statement().cancel();
          }
        }
        case "close" -> releaseActive();
        default -> { }
      }
      return PlanCachingStatements.invoke(target, method, args);
    }

    private Object execute(String kind, String sql) throws SQLException {
      releaseActive();
      if (isDdl(sql)) {
        // Calcite runs DDL while preparing it and cannot execute the prepared statement after.
        return plain(kind, sql);
      }
      StatementPlanCache.Lease lease;
      try {
        lease = cache.take(sql);
      } catch (SQLException e) {
        return plain(kind, sql); // not preparable (or wrong): the plain path reports it
      }
      PreparedStatement ps = lease.statement();
      try {
        ps.setLargeMaxRows(maxRows);
        ps.setFetchSize(fetchSize);
        ps.setQueryTimeout(queryTimeout);
        executing = ps;
        if (canceled) {
          ps.cancel(); // canceled between the lease and now
        }
        boolean isResult;
        try {
          isResult = ps.execute();
        } finally {
          executing = null;
        }
        active = lease;
        return switch (kind) {
          case "executeQuery" -> {
            if (!isResult) {
              throw new SQLException("statement did not return a result set: " + sql);
            }
            yield limited(ps.getResultSet());
          }
          case "executeUpdate" -> ps.getUpdateCount();
          case "executeLargeUpdate" -> ps.getLargeUpdateCount();
          default -> isResult;
        };
      } catch (SQLException | RuntimeException e) {
        try {
          ps.close(); // never hand a statement that failed to someone else
        } catch (SQLException ignored) {
          // already failing
        }
        active = null;
        throw e;
      }
    }

    /**
     * The result cut at the statement's max rows: Calcite fixes a statement's row limit when it
     * prepares it, so a reused prepared statement cannot take a new one.
     */
    private java.sql.ResultSet limited(java.sql.ResultSet rs) {
      if (rs == null || maxRows <= 0) {
        return rs;
      }
      long limit = maxRows;
      long[] seen = {0};
      return (java.sql.ResultSet) Proxy.newProxyInstance(
          PlanCachingStatements.class.getClassLoader(), new Class<?>[] {java.sql.ResultSet.class},
          (p, m, a) -> {
            if (m.getName().equals("next") && (a == null || a.length == 0)) {
              if (seen[0] >= limit) {
                return false;
              }
              boolean more = rs.next();
              if (more) {
                seen[0]++;
              }
              return more;
            }
            return PlanCachingStatements.invoke(rs, m, a);
          });
    }

    /** CREATE, DROP, ALTER or TRUNCATE (after blanks and comments): never prepared or cached. */
    static boolean isDdl(String sql) {
      int i = 0;
      int n = sql.length();
      while (i < n) {
        char c = sql.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (sql.startsWith("--", i)) {
          int end = sql.indexOf('\n', i);
          i = end < 0 ? n : end + 1;
        } else if (sql.startsWith("/*", i)) {
          int end = sql.indexOf("*/", i + 2);
          i = end < 0 ? n : end + 2;
        } else {
          break;
        }
      }
      int j = i;
      while (j < n && Character.isLetter(sql.charAt(j))) {
        j++;
      }
      String word = sql.substring(i, j).toUpperCase(java.util.Locale.ROOT);
      return word.equals("CREATE") || word.equals("DROP") || word.equals("ALTER")
          || word.equals("TRUNCATE") || word.equals("SET") || word.equals("RESET");
    }

    private Object plain(String kind, String sql) throws SQLException {
      return switch (kind) {
        case "executeQuery" -> target.executeQuery(sql);
        case "executeUpdate" -> target.executeUpdate(sql);
        case "executeLargeUpdate" -> target.executeLargeUpdate(sql);
        default -> target.execute(sql);
      };
    }

    private void releaseActive() {
      if (active != null) {
        if (canceled) {
          try {
            active.statement().close(); // its cancel flag stays set: no reuse
          } catch (SQLException ignored) {
            // closing a statement nobody uses
          }
        } else {
          cache.release(active);
        }
        active = null;
      }
    }
  }
}
