package io.converge.server;

import io.converge.server.auth.ConvergeUser;
import io.converge.server.auth.CurrentUser;
import java.lang.reflect.Field;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.jdbc.StatementInfo;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Avatica's {@link JdbcMeta} over Converge's Calcite URL, with result framing made explicit.
 *
 * <p>{@code JdbcMeta} already keeps one Calcite connection per client connection and streams a
 * result as frames of the client's fetch size (Avatica's default: 100 rows, a round trip each).
 * This class fills every frame up to a byte budget instead (see {@link FrameBudget}): a client
 * that kept the default fetch size gets as many rows per frame as fit, one that set its own gets
 * at least that many within the budget, and no client can ask for a whole result in one message.
 * It counts the frames it serves.
 *
 * <p>Errors reach the client as one line with a SQL state (see {@link ClientErrors}). Auto-commit,
 * read-only and isolation are kept per client connection by {@link ClientTransactions}: commit
 * and rollback are no-ops, writes are refused while auto-commit is off.
 *
 * <p>It also drops client connection properties that would redefine the schema or load code on
 * the server ({@code model}, {@code schemaFactory}, {@code schema.*}, ...): the server decides what
 * it serves.
 *
 * <p><b>Timeouts and cancel.</b> Avatica's remote protocol carries neither
 * {@code Statement.setQueryTimeout} nor {@code Statement.cancel()}: the 1.28 client keeps the
 * timeout to itself and only sets a local flag on cancel (checked at the next {@code next()};
 * it even waits for a running execute to return first, since both hold the statement's monitor).
 * Converge's own driver ({@code io.converge.jdbc.ConvergeDriver}, {@code jdbc:converge:remote:})
 * sends both to the statement control endpoint ({@code admin.StatementControlHandler}), which
 * calls {@link #cancelStatement} and {@link #statementTimeout} here. Every execution takes the
 * first of: the statement's own timeout (set through that endpoint), the client connection's
 * {@value #QUERY_TIMEOUT_PROPERTY} property (seconds, sent in the connection {@code Properties}),
 * the server's default ({@link #defaultQueryTimeoutSeconds}). The timeout counts from the
 * execution's first Converge scan and keeps counting through the fetches of its result; Converge's
 * scans then stop the query with "query timed out" (SQL state {@code HYT00}). A cancel stops the
 * statement's execution or fetch under way, or the next fetch of its open result, with "query
 * canceled" ({@code 57014}); the next execution of the statement starts afresh. Closing a
 * statement or connection whose execution is still running on the server, from another client
 * thread, cancels that execution too (the only way with Avatica's own driver).
 *
 * <p>The user who opened each client connection is recorded (authenticating servers), so that
 * the endpoint lets a user control only the statements of their own connections.
 */
public class ConvergeMeta extends JdbcMeta {
  private static final Logger LOG = LoggerFactory.getLogger(ConvergeMeta.class);
  /** Connection property: the server-side timeout of every statement of the connection, seconds. */
  public static final String QUERY_TIMEOUT_PROPERTY = "queryTimeout";

  private final AtomicLong frames = new AtomicLong();
  private volatile FrameBudget frameBudget = new FrameBudget(FrameBudget.DEFAULT_BUDGET_BYTES);
  /** Seconds; 0 = none. */
  private volatile int defaultQueryTimeoutSeconds;
  /** Per client connection that set {@value #QUERY_TIMEOUT_PROPERTY}: its timeout, seconds. */
  private final Map<String, Integer> connectionTimeouts = new ConcurrentHashMap<>();
  /** Server statements with an execute or fetch under way, by connection id and statement id. */
  private final Map<String, Statement> running = new ConcurrentHashMap<>();
  /** Timeouts set per statement ({@link #statementTimeout}), seconds, by connection and statement id. */
  private final Map<String, Integer> statementTimeouts = new ConcurrentHashMap<>();
  /** The user who opened each client connection, by connection id (authenticating servers). */
  private final Map<String, String> owners = new ConcurrentHashMap<>();
  /** Auto-commit, read-only and isolation of each client connection (see ClientTransactions). */
  private final ClientTransactions transactions = new ClientTransactions();

  public ConvergeMeta(String url, Properties info) throws SQLException {
    super(url, info);
  }

  /** The timeout, in seconds, of statements whose connection does not set one (0: none). */
  public void defaultQueryTimeoutSeconds(int seconds) {
    if (seconds < 0) {
      throw new IllegalArgumentException("query timeout must be >= 0 seconds, got " + seconds);
    }
    this.defaultQueryTimeoutSeconds = seconds;
  }

  public int defaultQueryTimeoutSeconds() {
    return defaultQueryTimeoutSeconds;
  }

  /** Executions and fetches under way now (for tests and diagnostics). */
  public int runningStatements() {
    return running.size();
  }

  /** The estimated size a result frame is filled up to (see {@link FrameBudget}). */
  public void frameBudgetBytes(long bytes) {
    this.frameBudget = new FrameBudget(bytes);
  }

  public long frameBudgetBytes() {
    return frameBudget.budgetBytes();
  }

  /** Frames served so far (first frames and fetches). */
  public long framesServed() {
    return frames.get();
  }

  /** Names the catalog's current shape (collections and schema versions); null: no plan cache. */
  private volatile java.util.function.Supplier<Object> catalogStamp;

  /** Whether the plan cache shares a plan between queries differing in compared literals. */
  private volatile boolean shapeLiterals;

  /**
   * Turns on the per-connection plan cache of plain statements (see StatementPlanCache);
   * {@code shapeLiterals}: queries that differ only in compared literals share a plan.
   */
  public void cachePlans(java.util.function.Supplier<Object> stamp, boolean shapeLiterals) {
    this.shapeLiterals = shapeLiterals;
    this.catalogStamp = stamp;
  }

  /**
   * Every Calcite connection the server uses, wrapped so arrays serialize (see ArrayFriendlyJdbc)
   * and plain statements reuse plans (see PlanCachingStatements).
   */
  @Override
  protected java.sql.Connection getConnection(String id) throws SQLException {
    java.sql.Connection raw = super.getConnection(id);
    java.sql.Connection arrays = ArrayFriendlyJdbc.wrap(raw);
    java.util.function.Supplier<Object> stamp = catalogStamp;
    return stamp == null ? arrays
        : PlanCachingStatements.wrap(arrays,
            StatementPlanCache.of(raw, arrays, stamp, shapeLiterals));
  }

  @Override
  public void openConnection(ConnectionHandle ch, Map<String, String> info) {
    Integer timeout = queryTimeoutProperty(info);
    super.openConnection(ch, withoutServerOwnedProperties(info));
    if (timeout != null) {
      connectionTimeouts.put(ch.id, timeout);
    }
    if (transactions.size() > getConnectionCache().size() + getStatementCache().size() + 64) {
      // connections and statements that expired on the server without a close
      transactions.retainOnly(id -> getConnectionCache().getIfPresent(id) != null,
          id -> getStatementCache().getIfPresent(id) != null);
    }
    ConvergeUser user = CurrentUser.get();
    if (user != null) {
      owners.put(ch.id, user.name());
      if (owners.size() > getConnectionCache().size() + 64) {
        // connections that expired on the server without a close
        owners.keySet().removeIf(id -> getConnectionCache().getIfPresent(id) == null);
      }
    }
  }

  /**
   * Cancels what the connection is still running (another client thread closed it), then
   * closes it.
   */
  @Override
  public void closeConnection(ConnectionHandle ch) {
    running.forEach((h, statement) -> {
      if (h.startsWith(ch.id + "/")) {
        cancel(statement);
      }
    });
    connectionTimeouts.remove(ch.id);
    owners.remove(ch.id);
    statementTimeouts.keySet().removeIf(k -> k.startsWith(ch.id + "/"));
    transactions.connectionClosed(ch.id);
    super.closeConnection(ch);
  }

  /** Cancels the statement's execution if one is under way, then closes it. */
  @Override
  public void closeStatement(StatementHandle h) {
    Statement statement = running.get(key(h));
    if (statement != null) {
      cancel(statement);
    }
    statementTimeouts.remove(key(h));
    transactions.statementClosed(h.connectionId, h.id);
    super.closeStatement(h);
  }

  /** Whether the server has an open client connection of this id. */
  public boolean hasConnection(String connectionId) {
    return getConnectionCache().getIfPresent(connectionId) != null;
  }

  /** The name of the user who opened the connection; null without authentication or if unknown. */
  public String connectionOwner(String connectionId) {
    return owners.get(connectionId);
  }

  /** Whether the connection has an open statement of this id. */
  public boolean hasStatement(String connectionId, int statementId) {
    return statementOf(connectionId, statementId) != null;
  }

  /**
   * Cancels the statement's execution or fetch under way (it fails with "query canceled",
   * {@code 57014}); with none under way, the next fetch of its open result fails instead. The
   * statement's next execution runs normally. Returns whether an execution or fetch was under
   * way, or null when the connection has no such statement.
   */
  public Boolean cancelStatement(String connectionId, int statementId) {
    Statement statement = statementOf(connectionId, statementId);
    if (statement == null) {
      return null;
    }
    Statement now = running.get(connectionId + "/" + statementId);
    cancel(now != null ? now : statement);
    LOG.debug("statement {}/{} canceled ({})", connectionId, statementId,
        now != null ? "running" : "idle");
    return now != null;
  }

  /**
   * Gives the statement's next executions (and the fetches of their results) a timeout of
   * {@code seconds}; 0 removes it (the connection's or the server's applies again). False when
   * the connection has no such statement.
   */
  public boolean statementTimeout(String connectionId, int statementId, int seconds) {
    if (seconds < 0) {
      throw new IllegalArgumentException("query timeout must be >= 0 seconds, got " + seconds);
    }
    if (statementOf(connectionId, statementId) == null) {
      return false;
    }
    String k = connectionId + "/" + statementId;
    if (seconds == 0) {
      statementTimeouts.remove(k);
    } else {
      statementTimeouts.put(k, seconds);
      if (statementTimeouts.size() > getStatementCache().size() + 64) {
        // statements that expired on the server without a close
        statementTimeouts.keySet().removeIf(key -> getStatementCache().getIfPresent(
            Integer.parseInt(key.substring(key.lastIndexOf('/') + 1))) == null);
      }
    }
    return true;
  }

  /** The server statement of a connection's statement id; null if gone or of another connection. */
  private Statement statementOf(String connectionId, int statementId) {
    Statement statement = statementOf(new StatementHandle(connectionId, statementId, null));
    java.sql.Connection raw = getConnectionCache().getIfPresent(connectionId);
    if (statement == null || raw == null) {
      return null;
    }
    try {
      // statement ids are unique server-wide: the statement must be one of this connection's
      return statement.unwrap(AvaticaStatement.class).connection == raw ? statement : null;
    } catch (SQLException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Forgets a cancel of an earlier execution of the statement: Calcite's cancel flag stays set
   * once set, and the plan cache's statement remembers a cancel (see PlanCachingStatements).
   */
  private static void clearCancel(Statement statement) {
    PlanCachingStatements.clearCancel(statement);
    try {
      AvaticaStatement calcite = statement.unwrap(AvaticaStatement.class);
      calcite.connection.getCancelFlag(calcite.handle).set(false);
    } catch (SQLException | NoSuchStatementException | RuntimeException e) {
      LOG.debug("cannot clear the cancel flag", e);
    }
  }

  private static void cancel(Statement statement) {
    try {
      statement.cancel();
    } catch (SQLException | RuntimeException e) {
      LOG.debug("cancel failed", e);
    }
  }

  /** The value of {@value #QUERY_TIMEOUT_PROPERTY} (whole seconds >= 0), null when absent. */
  static Integer queryTimeoutProperty(Map<String, String> info) {
    if (info == null) {
      return null;
    }
    for (Map.Entry<String, String> e : info.entrySet()) {
      if (e.getKey().equalsIgnoreCase(QUERY_TIMEOUT_PROPERTY) && e.getValue() != null) {
        try {
          int seconds = Integer.parseInt(e.getValue().trim());
          if (seconds >= 0) {
            return seconds;
          }
        } catch (NumberFormatException ignored) {
          // reported below
        }
        throw new AvaticaRuntimeException("connection property " + QUERY_TIMEOUT_PROPERTY
            + " must be a whole number of seconds >= 0, got '" + e.getValue() + "'", -1,
            "22023", AvaticaSeverity.ERROR);
      }
    }
    return null;
  }

  /** The server-side statement of a handle, or null (gone, or not a statement of this meta). */
  private Statement statementOf(StatementHandle h) {
    StatementInfo info = getStatementCache().getIfPresent(h.id);
    if (info == null) {
      return null;
    }
    try {
      return (Statement) STATEMENT_FIELD.get(info);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code StatementInfo.statement} is package-private in Avatica 1.28. */
  private static final Field STATEMENT_FIELD;

  static {
    try {
      STATEMENT_FIELD = StatementInfo.class.getDeclaredField("statement");
      STATEMENT_FIELD.setAccessible(true);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static String key(StatementHandle h) {
    return h.connectionId + "/" + h.id;
  }

  /**
   * Marks the statement of {@code h} as running (so a cancel or a close from another thread
   * cancels it); for an execution ({@code setTimeout}), first forgets an earlier cancel and sets
   * its timeout. Returns the key to pass to {@link #finished}.
   */
  private String starting(StatementHandle h, boolean setTimeout) {
    String k = key(h);
    Statement statement = statementOf(h);
    if (statement != null) {
      if (setTimeout) {
        clearCancel(statement);
        try {
          statement.setQueryTimeout(timeoutSeconds(h));
        } catch (SQLException e) {
          LOG.debug("cannot set the query timeout", e);
        }
      }
      running.put(k, statement);
    }
    return k;
  }

  /** The statement's own timeout, else its connection's, else the server's default; seconds. */
  private int timeoutSeconds(StatementHandle h) {
    Integer own = statementTimeouts.get(key(h));
    if (own != null) {
      return own;
    }
    Integer connection = connectionTimeouts.get(h.connectionId);
    return connection != null ? connection : defaultQueryTimeoutSeconds;
  }

  private void finished(String k) {
    running.remove(k);
  }

  @Override
  public StatementHandle prepare(ConnectionHandle ch, String sql, long maxRowCount) {
    try {
      StatementHandle h = super.prepare(ch, sql, maxRowCount);
      transactions.prepared(ch.id, h.id, sql);
      return h;
    } catch (RuntimeException e) {
      throw clientError(e);
    }
  }

  @Override
  public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount,
      int maxRowsInFirstFrame, PrepareCallback callback) throws NoSuchStatementException {
    transactions.checkWrite(h.connectionId, sql);
    String k = starting(h, true);
    try {
      ExecuteResult result = super.prepareAndExecute(h, sql, maxRowCount,
          firstFrameRows(maxRowsInFirstFrame), callback);
      frames.incrementAndGet();
      return filledFirstFrames(result);
    } catch (RuntimeException e) {
      throw clientError(e);
    } finally {
      finished(k);
    }
  }

  @Override
  public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues,
      int maxRowsInFirstFrame) throws NoSuchStatementException {
    transactions.checkPrepared(h.connectionId, h.id);
    String k = starting(h, true);
    try {
      ExecuteResult result =
          super.execute(h, parameterValues, firstFrameRows(maxRowsInFirstFrame));
      frames.incrementAndGet();
      return filledFirstFrames(result);
    } catch (RuntimeException e) {
      throw clientError(e);
    } finally {
      finished(k);
    }
  }

  @Override
  public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
      throws NoSuchStatementException, MissingResultsException {
    String k = starting(h, false);
    try {
      Frame frame = frameBudget.fill(Frame.MORE, offset,
          FrameBudget.minimumRows(fetchMaxRowCount, offset),
          (at, rows) -> super.fetch(h, at, rows));
      frames.incrementAndGet();
      return frame;
    } catch (RuntimeException e) {
      throw clientError(e);
    } finally {
      finished(k);
    }
  }

  /** The error a client sees: one line, a SQL state (see {@link ClientErrors}). */
  static RuntimeException clientError(RuntimeException e) {
    return ClientErrors.of(e);
  }

  // --- transactions: see ClientTransactions -------------------------------------------------

  @Override
  public ConnectionProperties connectionSync(ConnectionHandle ch,
      ConnectionProperties connProps) {
    try {
      return transactions.sync(ch.id, getConnection(ch.id), connProps);
    } catch (SQLException e) {
      throw clientError(new RuntimeException(e));
    }
  }

  /** Nothing to commit: every write committed on its own (none runs with auto-commit off). */
  @Override
  public void commit(ConnectionHandle ch) {
    requireConnection(ch);
  }

  /** Nothing to roll back, as for {@link #commit}. */
  @Override
  public void rollback(ConnectionHandle ch) {
    requireConnection(ch);
  }

  private void requireConnection(ConnectionHandle ch) {
    try {
      getConnection(ch.id);
    } catch (SQLException e) {
      throw clientError(new RuntimeException(e));
    }
  }

  @Override
  public ExecuteBatchResult prepareAndExecuteBatch(StatementHandle h, List<String> sqlCommands)
      throws NoSuchStatementException {
    for (String sql : sqlCommands) {
      transactions.checkWrite(h.connectionId, sql);
    }
    return super.prepareAndExecuteBatch(h, sqlCommands);
  }

  @Override
  public ExecuteBatchResult executeBatch(StatementHandle h,
      List<List<TypedValue>> parameterValues) throws NoSuchStatementException {
    transactions.checkPrepared(h.connectionId, h.id);
    return super.executeBatch(h, parameterValues);
  }

  @Override
  public ExecuteBatchResult executeBatchProtobuf(StatementHandle h,
      List<org.apache.calcite.avatica.proto.Requests.UpdateBatch> updateBatches)
      throws NoSuchStatementException {
    transactions.checkPrepared(h.connectionId, h.id);
    return super.executeBatchProtobuf(h, updateBatches);
  }

  /** Closes every open statement and connection (the server is stopping). */
  public void closeAll() {
    getStatementCache().invalidateAll();
    getConnectionCache().invalidateAll();
  }

  /**
   * The execution's results with each open first frame filled up to the frame budget (JdbcMeta
   * reads at most 100 rows into a first frame).
   */
  private ExecuteResult filledFirstFrames(ExecuteResult result)
      throws NoSuchStatementException {
    if (result == null || result.resultSets == null) {
      return result;
    }
    List<MetaResultSet> filled = new java.util.ArrayList<>(result.resultSets.size());
    boolean changed = false;
    for (MetaResultSet rs : result.resultSets) {
      if (rs.firstFrame == null || rs.firstFrame.done) {
        filled.add(rs);
        continue;
      }
      StatementHandle h = new StatementHandle(rs.connectionId, rs.statementId, rs.signature);
      Frame frame;
      try {
        frame = frameBudget.fill(rs.firstFrame, 0, 0, (at, rows) -> super.fetch(h, at, rows));
      } catch (MissingResultsException e) {
        throw new IllegalStateException(e); // the result was just opened
      }
      filled.add(MetaResultSet.create(rs.connectionId, rs.statementId, rs.ownStatement,
          rs.signature, frame));
      changed = true;
    }
    return changed ? new ExecuteResult(filled) : result;
  }

  /**
   * Rows JdbcMeta reads into a first frame before {@link FrameBudget} fills it: one, so that a
   * huge row is measured before more are read. JdbcMeta returns an empty, finished frame for 0
   * and all rows for {@link #UNLIMITED_COUNT}; neither is passed on.
   */
  static int firstFrameRows(int requested) {
    return requested > 0 ? Math.min(requested, FrameBudget.FIRST_CHUNK_ROWS)
        : FrameBudget.FIRST_CHUNK_ROWS;
  }

  static Map<String, String> withoutServerOwnedProperties(Map<String, String> info) {
    if (info == null) {
      return null;
    }
    Map<String, String> kept = new LinkedHashMap<>();
    info.forEach((k, v) -> {
      if (!isServerOwned(k)) {
        kept.put(k, v);
      }
    });
    return kept;
  }

  private static boolean isServerOwned(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.equals("model") || k.equals("schemafactory") || k.equals("schematype")
        || k.equals(QUERY_TIMEOUT_PROPERTY.toLowerCase(Locale.ROOT))
        || k.startsWith("schema.") || k.equals("typesystem") || k.equals("parserfactory")
        || k.startsWith("avatica.");
  }
}
