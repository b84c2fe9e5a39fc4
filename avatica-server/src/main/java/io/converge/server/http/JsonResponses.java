package io.converge.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.servlet.http.HttpServletResponse;

/**
 * JSON answers of the server's HTTP APIs (the write API and the admin API): a body with its
 * length, and the error shape {@code {"error": message, "status": status, ...details}}.
 */
public final class JsonResponses {
  private JsonResponses() {}

  /** Answers {@code status} with the error body, {@code details} after the message and status. */
  public static void sendError(HttpServletResponse response, int status, String message,
      Map<String, Object> details) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("status", status);
    body.putAll(details);
    send(response, status, body);
  }

  /** Answers {@code status} with {@code body} as JSON. */
  public static void send(HttpServletResponse response, int status, Object body)
      throws IOException {
    byte[] bytes = ApiHandler.JSON.writeValueAsBytes(body);
    response.setStatus(status);
    response.setContentType("application/json;charset=utf-8");
    response.setContentLength(bytes.length);
    try (OutputStream out = response.getOutputStream()) {
      out.write(bytes);
    }
  }
}
