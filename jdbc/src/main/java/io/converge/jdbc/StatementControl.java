package io.converge.jdbc;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.ConnectionConfig;

/**
 * The client of the server's statement control endpoint, next to the Avatica endpoint on the same
 * port and with the same BASIC credentials:
 *
 * <pre>
 * POST /v1/statements/{connectionId}/{statementId}/cancel          -> {"running": true|false, ...}
 * PUT  /v1/statements/{connectionId}/{statementId}/timeout  {"seconds": n}
 * </pre>
 *
 * Uses the JDK's HTTP client and no JSON library, so the driver runs next to the shaded Avatica
 * jar (whose Jackson is relocated) as well as next to avatica-core.
 */
final class StatementControl {
  static final String PATH = "/v1/statements/";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern RUNNING = Pattern.compile("\"running\"\\s*:\\s*true");
  private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String base;
  private final String authorization;

  private StatementControl(String base, String authorization) {
    this.base = base;
    this.authorization = authorization;
  }

  /** The endpoint of the connection's server, or null when its {@code url} is not http(s). */
  static StatementControl of(ConnectionConfig config) {
    String url = config.url();
    if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
      return null;
    }
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    String user = config.avaticaUser();
    String authorization = null;
    if (user != null && !user.isEmpty()) {
      String password = config.avaticaPassword() == null ? "" : config.avaticaPassword();
      authorization = "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
    return new StatementControl(base, authorization);
  }

  /**
   * Cancels the statement's execution or fetch under way; true when the server had one running.
   * A statement the server does not know (closed, expired) has nothing to cancel: false.
   */
  boolean cancel(String connectionId, int statementId) throws SQLException {
    Answer a = send(HttpRequest.newBuilder(uri(connectionId, statementId, "cancel"))
        .POST(HttpRequest.BodyPublishers.noBody()), "cancel the statement");
    return a.status == 200 && RUNNING.matcher(a.body).find();
  }

  /** Gives the statement's executions a timeout of {@code seconds} (0: none of its own). */
  void timeout(String connectionId, int statementId, int seconds) throws SQLException {
    send(HttpRequest.newBuilder(uri(connectionId, statementId, "timeout"))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"seconds\":" + seconds + "}")),
        "set the query timeout");
  }

  private URI uri(String connectionId, int statementId, String action) {
    return URI.create(base + PATH + URLEncoder.encode(connectionId, StandardCharsets.UTF_8)
        .replace("+", "%20") + "/" + statementId + "/" + action);
  }

  private record Answer(int status, String body) {}

  /** Sends the request; 200 and 404 are answers, anything else an SQLException. */
  private Answer send(HttpRequest.Builder request, String what) throws SQLException {
    request.timeout(REQUEST_TIMEOUT);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response = Http.CLIENT.send(request.build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SQLException("cannot " + what + " on the server " + base + ": " + e, "08006", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while trying to " + what, "HY008", e);
    }
    int status = response.statusCode();
    String body = response.body() == null ? "" : response.body();
    if (status == 200 || status == 404) {
      return new Answer(status, body);
    }
    String state = switch (status) {
      case 401 -> "28000";
      case 403 -> "42501";
      default -> "HY000";
    };
    throw new SQLException("cannot " + what + " on the server: HTTP " + status
        + errorMessage(body), state);
  }

  /** ": message" from a JSON error body {@code {"error": "..."}}, or "". */
  static String errorMessage(String body) {
    Matcher m = ERROR.matcher(body);
    if (!m.find()) {
      return "";
    }
    String raw = m.group(1);
    StringBuilder b = new StringBuilder(": ");
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\\' && i + 1 < raw.length()) {
        char n = raw.charAt(++i);
        switch (n) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case 'u' -> {
            if (i + 4 < raw.length()) {
              b.append((char) Integer.parseInt(raw.substring(i + 1, i + 5), 16));
              i += 4;
            }
          }
          default -> b.append(n);
        }
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** One HTTP client for every connection of the process (its selector thread is a daemon). */
  private static final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }
}
