package io.converge.server.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the API refuses, with the HTTP status and the message sent back as
 * {@code {"error": ..., "status": ...}}, plus any extra fields (a JSON syntax error's position,
 * the methods a path allows).
 */
public final class ApiException extends Exception {
  final int status;
  final Map<String, Object> details = new LinkedHashMap<>();
  /** The value of the {@code Allow} header (405 only). */
  String allow;
  /**
   * Seconds for a {@code Retry-After} header (a 503 that passes, such as Kafka restarting), or 0.
   */
  int retryAfterSeconds;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status of the answer. */
  public int status() {
    return status;
  }

  /**
   * Answers with {@code Retry-After: seconds}: the refusal is temporary, and the same request may
   * be sent again.
   */
  public ApiException retryAfter(int seconds) {
    this.retryAfterSeconds = seconds;
    return this;
  }

  public ApiException with(String key, Object value) {
    details.put(key, value);
    return this;
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException methodNotAllowed(String method, String allow) {
    ApiException e = new ApiException(405, "method " + method + " is not allowed here; allowed: "
        + allow);
    e.allow = allow;
    return e;
  }
}
