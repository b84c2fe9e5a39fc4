package io.converge.server;

import io.converge.server.auth.ReadOnlyStatements;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.ConnectionPropertiesImpl;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;

/**
 * The transaction settings of each client connection, as JDBC clients and pools expect them from
 * an auto-commit database.
 *
 * <p>Converge has no multi-statement transactions: every statement commits on its own. A client
 * connection starts with auto-commit on, {@code commit()} and {@code rollback()} succeed as
 * no-ops, and {@code setAutoCommit(false)}, {@code setReadOnly}, {@code setTransactionIsolation}
 * are accepted and remembered here (pools and tools call them on every borrow and return).
 * Reads run normally whatever the settings. A write (DML or DDL) is refused at the write while
 * auto-commit is off ({@value #NO_TRANSACTIONS}: a "transaction" that cannot be rolled back must
 * not pretend to be one) or while the connection is read-only ({@value #READ_ONLY}). Since no
 * write is ever part of an open transaction, commit and rollback have nothing to do.
 *
 * <p>Schema and catalog are the Calcite connection's own (they steer name resolution), so they
 * are applied to it; the others never reach Calcite, whose connection would refuse commit.
 */
final class ClientTransactions {
  /** SQL state of a write while auto-commit is off: feature not supported. */
  static final String NO_TRANSACTIONS = "0A000";
  /** SQL state of a write on a read-only connection: read-only SQL transaction. */
  static final String READ_ONLY = "25006";
  /** SQL state of an unknown isolation level: invalid parameter value. */
  static final String INVALID_VALUE = "22023";

  private static final Set<Integer> ISOLATION_LEVELS = Set.of(Connection.TRANSACTION_NONE,
      Connection.TRANSACTION_READ_UNCOMMITTED, Connection.TRANSACTION_READ_COMMITTED,
      Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_SERIALIZABLE);

  /** A client connection's settings; absent from the map = the defaults. */
  private static final class Settings {
    volatile boolean autoCommit = true;
    volatile boolean readOnly;
    /** Each statement reads its own snapshot; nothing spans statements, hence NONE. */
    volatile int isolation = Connection.TRANSACTION_NONE;

    boolean writesRefused() {
      return !autoCommit || readOnly;
    }
  }

  private final Map<String, Settings> settings = new ConcurrentHashMap<>();
  /** The SQL of prepared statements, by connection and statement id, to classify at execute. */
  private final Map<String, String> preparedSql = new ConcurrentHashMap<>();

  /**
   * Applies what the client changed ({@code requested} carries only those) and answers the
   * connection's settings.
   */
  Meta.ConnectionProperties sync(String connectionId, Connection calcite,
      Meta.ConnectionProperties requested) throws SQLException {
    Settings s = settings.computeIfAbsent(connectionId, id -> new Settings());
    if (requested != null) {
      Integer isolation = requested.getTransactionIsolation();
      if (isolation != null && !ISOLATION_LEVELS.contains(isolation)) {
        throw new AvaticaRuntimeException("unknown transaction isolation level " + isolation
            + " (use one of the java.sql.Connection.TRANSACTION_* constants)", -1, INVALID_VALUE,
            AvaticaSeverity.ERROR);
      }
      if (requested.isAutoCommit() != null) {
        s.autoCommit = requested.isAutoCommit();
      }
      if (requested.isReadOnly() != null) {
        s.readOnly = requested.isReadOnly();
      }
      if (isolation != null) {
        s.isolation = isolation;
      }
      String catalog = requested.getCatalog();
      if (catalog != null && !catalog.equals(calcite.getCatalog())) {
        calcite.setCatalog(catalog);
      }
      String schema = requested.getSchema();
      if (schema != null && !schema.equals(calcite.getSchema())) {
        calcite.setSchema(schema);
      }
    }
    return new ConnectionPropertiesImpl(s.autoCommit, s.readOnly, s.isolation,
        calcite.getCatalog(), calcite.getSchema()).setDirty(false);
  }

  /** Refuses {@code sql} if it writes and the connection's settings do not allow writes. */
  void checkWrite(String connectionId, String sql) {
    Settings s = settings.get(connectionId);
    // the defaults allow everything: no parse on the common path
    if (s == null || !s.writesRefused()) {
      return;
    }
    String what = ReadOnlyStatements.writeKind(sql);
    if (what == null) {
      return;
    }
    if (s.readOnly) {
      throw new AvaticaRuntimeException(what + " refused: the connection is read-only"
          + " (setReadOnly(true)); call setReadOnly(false) to write", -1, READ_ONLY,
          AvaticaSeverity.ERROR);
    }
    throw new AvaticaRuntimeException(what + " refused: auto-commit is off and Converge has no"
        + " multi-statement transactions; call setAutoCommit(true) to write (each statement"
        + " commits on its own)", -1, NO_TRANSACTIONS, AvaticaSeverity.ERROR);
  }

  /** Remembers a prepared statement's SQL for {@link #checkPrepared}. */
  void prepared(String connectionId, int statementId, String sql) {
    preparedSql.put(connectionId + "/" + statementId, sql);
  }

  /** {@link #checkWrite} for the SQL the statement was prepared with. */
  void checkPrepared(String connectionId, int statementId) {
    if (settings.get(connectionId) == null) {
      return;
    }
    String sql = preparedSql.get(connectionId + "/" + statementId);
    if (sql != null) {
      checkWrite(connectionId, sql);
    }
  }

  void statementClosed(String connectionId, int statementId) {
    preparedSql.remove(connectionId + "/" + statementId);
  }

  void connectionClosed(String connectionId) {
    settings.remove(connectionId);
    String prefix = connectionId + "/";
    preparedSql.keySet().removeIf(k -> k.startsWith(prefix));
  }

  /** Forgets connections and statements that expired on the server without a close. */
  void retainOnly(Predicate<String> connectionAlive, Predicate<Integer> statementAlive) {
    settings.keySet().removeIf(id -> !connectionAlive.test(id));
    preparedSql.keySet().removeIf(k -> !statementAlive.test(
        Integer.parseInt(k.substring(k.lastIndexOf('/') + 1))));
  }

  int size() {
    return settings.size() + preparedSql.size();
  }
}
