package io.converge.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import javax.servlet.http.HttpServletRequest;

/**
 * Reads a write request's body into memory, up to a size limit: the whole body is parsed and
 * checked before anything is written, so that a syntax error late in the body leaves the
 * collection untouched.
 */
final class RequestBody {
  /** Media types accepted for documents; the body's first non-blank byte decides the framing. */
  static final Set<String> JSON_TYPES = Set.of("application/json", "application/x-ndjson",
      "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines");

  private RequestBody() {}

  /** 415 unless the Content-Type is absent or one of {@link #JSON_TYPES} in UTF-8. */
  static void checkContentType(String contentType) throws ApiException {
    if (contentType == null || contentType.isBlank()) {
      return;
    }
    String[] parts = contentType.split(";");
    String type = parts[0].trim().toLowerCase(Locale.ROOT);
    if (!JSON_TYPES.contains(type)) {
      throw new ApiException(415, "Content-Type '" + contentType + "' is not accepted; send "
          + "application/x-ndjson (one JSON object per line) or application/json (a JSON array "
          + "of objects), UTF-8 (with curl: -H 'Content-Type: application/x-ndjson' "
          + "--data-binary @file)");
    }
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].trim().split("=", 2);
      if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")) {
        String cs = kv[1].trim().replace("\"", "");
        if (!cs.equalsIgnoreCase("utf-8") && !cs.equalsIgnoreCase("utf8")) {
          throw new ApiException(415, "charset '" + cs + "' is not accepted; documents must be "
              + "UTF-8");
        }
      }
    }
  }

  /**
   * The body; 413 when it is (or declares to be) longer than {@code limit} bytes, 400 when the
   * client ends it before its declared Content-Length.
   */
  static byte[] read(HttpServletRequest request, long limit) throws IOException, ApiException {
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      throw tooLarge(declared + " bytes", limit);
    }
    InputStream in = request.getInputStream();
    byte[] buf = new byte[(int) Math.min(limit + 1, declared >= 0 ? declared + 1 : 1 << 16)];
    int n = 0;
    while (true) {
      if (n == buf.length) {
        if (n > limit) {
          throw tooLarge("more than " + limit + " bytes", limit);
        }
        buf = Arrays.copyOf(buf, (int) Math.min(limit + 1, (long) buf.length * 2));
      }
      int r;
      try {
        r = in.read(buf, n, buf.length - n);
      } catch (java.io.EOFException early) { // the client closed before sending the whole body
        throw ApiException.badRequest("the request body ended after " + n + " bytes"
            + (declared >= 0 ? ", before its Content-Length of " + declared + " bytes" : "")
            + ": send the whole body");
      }
      if (r < 0) {
        break;
      }
      n += r;
      if (n > limit) {
        throw tooLarge("more than " + limit + " bytes", limit);
      }
    }
    return n == buf.length ? buf : Arrays.copyOf(buf, n);
  }

  private static ApiException tooLarge(String size, long limit) {
    return new ApiException(413, "request body is " + size + "; the limit is " + limit
        + " bytes: send the documents in several requests")
        .with("limitBytes", limit);
  }
}
