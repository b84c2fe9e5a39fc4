package io.converge.server.auth;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP BASIC authentication in front of every handler of the server (the Avatica endpoint, the
 * HTTP API and the admin endpoints), against a {@link UserDirectory}.
 *
 * <ul>
 *   <li>No or unreadable credentials: 401 with {@code WWW-Authenticate: Basic realm="Converge"}.
 *   <li>Wrong user or password: 401, and one warning in the log naming the user and the remote
 *       address, never the password. After 10 failures within a minute from one address (the
 *       users' {@link LoginThrottle}), that address gets 429 with {@code Retry-After} for the rest
 *       of the minute, without a password check; credentials verified before keep working.
 *   <li>The HTTP API ({@code /v1/...}): any user may GET; other methods need the writer or admin
 *       role and {@code /v1/admin/...} needs admin, else 403. The statement control endpoint
 *       ({@code /v1/statements/...}) is open to every role: it checks who opened the connection.
 *   <li>Otherwise the request goes on with the user in {@link CurrentUser} (and as the request's
 *       user principal); {@link AuthorizingService} checks SQL statements against its role.
 * </ul>
 */
public final class BasicAuthHandler extends HandlerWrapper {
  private static final Logger LOG = LoggerFactory.getLogger(BasicAuthHandler.class);
  public static final String REALM = "Converge";

  private final UserDirectory users;
  private final LoginThrottle throttle;

  public BasicAuthHandler(UserDirectory users) {
    this.users = users;
    this.throttle = users.throttle();
  }

  @Override
  public void handle(String target, Request base, HttpServletRequest request,
      HttpServletResponse response) throws IOException, ServletException {
    String header = request.getHeader("Authorization");
    if (header == null || header.isBlank()) {
      refuse(base, response, 401, "authentication required: HTTP BASIC credentials of a user of "
          + "this server's users file");
      return;
    }
    char[] credentials = decodeBasic(header);
    if (credentials == null) {
      LOG.warn("failed login from {}: unreadable Authorization header", request.getRemoteAddr());
      refuse(base, response, 401, "unreadable credentials: expected HTTP BASIC");
      return;
    }
    ConvergeUser user;
    String name;
    try {
      int colon = indexOf(credentials, ':');
      if (colon < 0) {
        LOG.warn("failed login from {}: BASIC credentials without ':'", request.getRemoteAddr());
        refuse(base, response, 401, "unreadable credentials: expected HTTP BASIC");
        return;
      }
      name = new String(credentials, 0, colon);
      char[] password = Arrays.copyOfRange(credentials, colon + 1, credentials.length);
      try {
        user = users.remembered(name, password);
        if (user == null) {
          long wait = throttle.blockedFor(request.getRemoteAddr());
          if (wait > 0) {
            LOG.warn("failed login for user '{}' from {}: too many failed logins from this "
                + "address, not checked", printable(name), request.getRemoteAddr());
            long seconds = (wait + 999) / 1000;
            response.setHeader("Retry-After", Long.toString(seconds));
            refuse(base, response, 429, "too many failed logins from " + request.getRemoteAddr()
                + "; try again in " + seconds + " s");
            return;
          }
          user = users.authenticate(name, password);
        }
      } finally {
        Arrays.fill(password, '\0');
      }
    } finally {
      Arrays.fill(credentials, '\0');
    }
    if (user == null) {
      throttle.failed(request.getRemoteAddr());
      LOG.warn("failed login for user '{}' from {}", printable(name), request.getRemoteAddr());
      refuse(base, response, 401, "wrong user name or password");
      return;
    }
    String denied = deniedApiRequest(user, request.getMethod(), request.getRequestURI());
    if (denied != null) {
      LOG.info("refused {} {} to {} from {}: {}", request.getMethod(), request.getRequestURI(),
          user, request.getRemoteAddr(), denied);
      refuse(base, response, 403, denied);
      return;
    }
    base.setAttribute(ConvergeUser.class.getName(), user);
    CurrentUser.set(user);
    try {
      super.handle(target, base, request, response);
    } finally {
      CurrentUser.clear();
    }
  }

  /** Why {@code user} may not send this HTTP API request, or null when it may. */
  static String deniedApiRequest(ConvergeUser user, String method, String path) {
    if (path == null || !(path.equals("/v1") || path.startsWith("/v1/"))) {
      return null; // the Avatica endpoint: statements are checked one by one
    }
    if (path.startsWith("/v1/statements/") || path.equals("/v1/statements")) {
      return null; // cancel and timeouts: the endpoint checks that the user opened the connection
    }
    if (path.startsWith("/v1/admin/") || path.equals("/v1/admin")) {
      return user.role().canAdminister() ? null
          : "user '" + user.name() + "' (role " + user.role().label()
              + ") may not use the admin API: it needs the admin role";
    }
    if (method.equals("GET") || method.equals("HEAD")) {
      return null;
    }
    return user.role().canWrite() ? null
        : "user '" + user.name() + "' has the read-only role " + user.role().label()
            + ": " + method + " needs the writer or admin role";
  }

  private static void refuse(Request base, HttpServletResponse response, int status,
      String message) throws IOException {
    base.setHandled(true);
    if (status == 401) {
      response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
    }
    byte[] body = ("{\"error\":" + jsonString(message) + ",\"status\":" + status + "}")
        .getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json;charset=utf-8");
    response.setContentLength(body.length);
    try (OutputStream out = response.getOutputStream()) {
      out.write(body);
    }
  }

  /** The {@code user:password} characters of a BASIC header (UTF-8), or null. */
  static char[] decodeBasic(String header) {
    String h = header.strip();
    if (h.length() < 6 || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(h.substring(6).strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw));
      char[] out = new char[chars.remaining()];
      chars.get(out);
      Arrays.fill(chars.array(), '\0');
      return out;
    } catch (CharacterCodingException e) {
      return null;
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static int indexOf(char[] chars, char c) {
    for (int i = 0; i < chars.length; i++) {
      if (chars[i] == c) {
        return i;
      }
    }
    return -1;
  }

  /** A user name as logged: control characters escaped, at most 64 characters. */
  static String printable(String name) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length() && b.length() < 64; i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return name.length() > 64 ? b + "..." : b.toString();
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
