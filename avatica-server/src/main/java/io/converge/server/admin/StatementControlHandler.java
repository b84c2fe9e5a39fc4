package io.converge.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.server.ConvergeMeta;
import io.converge.server.auth.ConvergeUser;
import io.converge.server.http.JsonResponses;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statement control endpoint, what Avatica's protocol lacks: cancel and per-statement query
 * timeouts of JDBC statements, addressed by Avatica connection id and statement id. Converge's
 * JDBC driver ({@code io.converge.jdbc.ConvergeDriver}) calls it from {@code Statement.cancel()}
 * and before an execution whose {@code setQueryTimeout} changed.
 *
 * <pre>
 * POST /v1/statements/{connectionId}/{statementId}/cancel
 *     -> 200 {"connectionId": .., "statementId": n, "running": true|false}
 * PUT  /v1/statements/{connectionId}/{statementId}/timeout   {"seconds": n}   (0: none of its own)
 *     -> 200 {"connectionId": .., "statementId": n, "seconds": n}
 * </pre>
 *
 * A cancel stops the execution or fetch under way with SQL state {@code 57014} ({@code running}
 * says whether one was), a timeout applies from the statement's next execution (see
 * {@link ConvergeMeta#cancelStatement} and {@link ConvergeMeta#statementTimeout}). Unknown
 * connections and statements get 404. With authentication, any role may use it, but only on
 * connections the same user opened (an admin on any); others get 403. Without authentication,
 * anyone who reaches the port may.
 */
public final class StatementControlHandler extends AbstractHandler {
  private static final Logger LOG = LoggerFactory.getLogger(StatementControlHandler.class);
  public static final String PREFIX = "/v1/statements";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 1024;

  private final ConvergeMeta meta;

  public StatementControlHandler(ConvergeMeta meta) {
    this.meta = meta;
  }

  /** True for the paths of this endpoint. */
  public static boolean owns(String path) {
    return path != null && (path.equals(PREFIX) || path.startsWith(PREFIX + "/"));
  }

  @Override
  public void handle(String target, Request base, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    String path = request.getRequestURI();
    if (!owns(path)) {
      return;
    }
    base.setHandled(true);
    String[] parts = path.substring(PREFIX.length()).split("/", -1);
    // "", connectionId, statementId, action
    if (parts.length != 4 || !parts[0].isEmpty() || parts[1].isEmpty()
        || !(parts[3].equals("cancel") || parts[3].equals("timeout"))) {
      JsonResponses.sendError(response, 404, "no such resource: " + path + " (this endpoint "
          + "serves POST " + PREFIX + "/{connectionId}/{statementId}/cancel and PUT " + PREFIX
          + "/{connectionId}/{statementId}/timeout)", Map.of());
      return;
    }
    String action = parts[3];
    String method = action.equals("cancel") ? "POST" : "PUT";
    if (!request.getMethod().equals(method)) {
      response.setHeader("Allow", method);
      JsonResponses.sendError(response, 405, "method " + request.getMethod()
          + " is not allowed here; allowed: " + method, Map.of());
      return;
    }
    String connectionId;
    int statementId;
    try {
      connectionId = URLDecoder.decode(parts[1].replace("+", "%2B"), StandardCharsets.UTF_8);
      statementId = Integer.parseInt(parts[2]);
    } catch (IllegalArgumentException e) {
      JsonResponses.sendError(response, 400, "bad connection or statement id in " + path,
          Map.of());
      return;
    }
    Object attribute = base.getAttribute(ConvergeUser.class.getName());
    ConvergeUser user = attribute instanceof ConvergeUser u ? u : null;
    if (!meta.hasConnection(connectionId)) {
      JsonResponses.sendError(response, 404, "no such connection: " + connectionId, Map.of());
      return;
    }
    if (user != null && !user.role().canAdminister()
        && !user.name().equals(meta.connectionOwner(connectionId))) {
      LOG.info("refused to {} statement {}/{} for {}: another user's connection", action,
          connectionId, statementId, user);
      JsonResponses.sendError(response, 403, "user '" + user.name() + "' may only " + action
          + " statements of connections it opened", Map.of());
      return;
    }
    Map<String, Object> ok = new LinkedHashMap<>();
    ok.put("connectionId", connectionId);
    ok.put("statementId", statementId);
    if (action.equals("cancel")) {
      Boolean running = meta.cancelStatement(connectionId, statementId);
      if (running == null) {
        noSuchStatement(response, connectionId, statementId);
        return;
      }
      ok.put("running", running);
    } else {
      Integer seconds = seconds(request);
      if (seconds == null) {
        JsonResponses.sendError(response, 400, "expected a JSON object {\"seconds\": n} with a "
            + "whole number of seconds >= 0", Map.of());
        return;
      }
      if (!meta.statementTimeout(connectionId, statementId, seconds)) {
        noSuchStatement(response, connectionId, statementId);
        return;
      }
      ok.put("seconds", seconds);
    }
    JsonResponses.send(response, 200, ok);
  }

  private static void noSuchStatement(HttpServletResponse response, String connectionId,
      int statementId) throws IOException {
    JsonResponses.sendError(response, 404, "no such statement: " + statementId
        + " of connection " + connectionId, Map.of());
  }

  /** The body's {@code seconds}, or null when the body is not {@code {"seconds": n >= 0}}. */
  private static Integer seconds(HttpServletRequest request) throws IOException {
    try (InputStream in = request.getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        return null;
      }
      JsonNode body = JSON.readTree(bytes);
      if (body == null || !body.isObject() || !body.has("seconds")
          || !body.get("seconds").canConvertToInt() || !body.get("seconds").isIntegralNumber()
          || body.get("seconds").intValue() < 0) {
        return null;
      }
      return body.get("seconds").intValue();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return null;
    }
  }
}
