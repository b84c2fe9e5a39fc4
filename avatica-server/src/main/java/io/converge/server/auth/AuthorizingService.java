package io.converge.server.auth;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.LocalService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Avatica's {@link LocalService} with the statement checks of an authenticating server: every
 * request must come with a {@link CurrentUser} (set by {@link BasicAuthHandler}), and a user
 * without the writer role may only run queries (see {@link ReadOnlyStatements}). The SQL text is
 * parsed and refused before the meta prepares or runs it; the client gets an error with SQL
 * state {@value #INSUFFICIENT_PRIVILEGE}.
 *
 * <p>A prepared statement is checked when it is prepared. Statements prepared as writes (by a
 * writer) are remembered by connection and statement id, so that a read-only user who learns such
 * a handle still cannot execute it.
 */
public final class AuthorizingService extends LocalService {
  private static final Logger LOG = LoggerFactory.getLogger(AuthorizingService.class);
  /** SQLSTATE of a refused statement: insufficient privilege. */
  public static final String INSUFFICIENT_PRIVILEGE = "42501";

  private final Set<String> preparedWrites = ConcurrentHashMap.newKeySet();

  public AuthorizingService(Meta meta) {
    super(meta);
  }

  @Override
  public ExecuteResponse apply(PrepareAndExecuteRequest request) {
    checkStatement(request.sql);
    return super.apply(request);
  }

  @Override
  public PrepareResponse apply(PrepareRequest request) {
    boolean write = checkStatement(request.sql);
    PrepareResponse response = super.apply(request);
    if (write && response.statement != null) {
      preparedWrites.add(key(response.statement.connectionId, response.statement.id));
    }
    return response;
  }

  @Override
  public ExecuteBatchResponse apply(PrepareAndExecuteBatchRequest request) {
    List<String> commands = request.sqlCommands == null ? List.of() : request.sqlCommands;
    for (String sql : commands) {
      checkStatement(sql);
    }
    return super.apply(request);
  }

  @Override
  public ExecuteResponse apply(ExecuteRequest request) {
    Meta.StatementHandle h = request.statementHandle;
    if (h != null) {
      checkPrepared(h.connectionId, h.id);
    }
    return super.apply(request);
  }

  @Override
  public ExecuteBatchResponse apply(ExecuteBatchRequest request) {
    checkPrepared(request.connectionId, request.statementId);
    return super.apply(request);
  }

  @Override
  public CloseStatementResponse apply(CloseStatementRequest request) {
    preparedWrites.remove(key(request.connectionId, request.statementId));
    return super.apply(request);
  }

  @Override
  public CloseConnectionResponse apply(CloseConnectionRequest request) {
    String prefix = request.connectionId + "/";
    preparedWrites.removeIf(k -> k.startsWith(prefix));
    return super.apply(request);
  }

  /** Refuses the statement unless the user may run it; true when it is not a plain query. */
  private boolean checkStatement(String sql) {
    ConvergeUser user = requireUser();
    String refusal = ReadOnlyStatements.refusal(sql);
    if (refusal != null && !user.role().canWrite()) {
      LOG.info("refused a statement of read-only user {}: {}", user, refusal);
      throw refused("permission denied: user '" + user.name() + "' has the read-only role "
          + user.role().label() + ": " + refusal);
    }
    return refusal != null;
  }

  private void checkPrepared(String connectionId, int statementId) {
    ConvergeUser user = requireUser();
    if (!user.role().canWrite() && preparedWrites.contains(key(connectionId, statementId))) {
      throw refused("permission denied: user '" + user.name() + "' has the read-only role "
          + user.role().label() + ": the prepared statement is not a query");
    }
  }

  private static ConvergeUser requireUser() {
    ConvergeUser user = CurrentUser.get();
    if (user == null) {
      throw refused("permission denied: the request carries no authenticated user");
    }
    return user;
  }

  private static AvaticaRuntimeException refused(String message) {
    return new AvaticaRuntimeException(message, -1, INSUFFICIENT_PRIVILEGE,
        AvaticaSeverity.ERROR);
  }

  private static String key(String connectionId, int statementId) {
    return connectionId + "/" + statementId;
  }
}
