package io.converge.server.http;

/**
 * Finds NDJSON lines in a body the way {@code JsonDocumentReader} numbers them: leading blank
 * space (spaces, tabs, line breaks, a byte-order mark) is skipped counting only {@code \n}, then
 * lines end at {@code \n}, {@code \r} or {@code \r\n}.
 */
final class NdjsonLines {
  private NdjsonLines() {}

  /** The first byte that is not blank space, or -1 for a blank body. */
  static int firstNonBlank(byte[] body) {
    int i = skipBlank(body);
    return i < body.length ? body[i] & 0xff : -1;
  }

  private static int skipBlank(byte[] body) {
    int i = 0;
    while (i < body.length) {
      byte b = body[i];
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        i++;
      } else if ((b & 0xff) == 0xEF && i + 2 < body.length && (body[i + 1] & 0xff) == 0xBB
          && (body[i + 2] & 0xff) == 0xBF) {
        i += 3;
      } else {
        break;
      }
    }
    return i;
  }

  /** {start, end} byte offsets of 1-based line {@code line}, or null when there is none. */
  static int[] bounds(byte[] body, long line) {
    int start = skipBlank(body);
    long n = 0;
    for (int i = 0; i < start; i++) {
      if (body[i] == '\n') {
        n++;
      }
    }
    int i = start;
    while (i < body.length) {
      int end = i;
      while (end < body.length && body[end] != '\n' && body[end] != '\r') {
        end++;
      }
      n++;
      if (n == line) {
        return new int[] {i, end};
      }
      i = end < body.length && body[end] == '\r' && end + 1 < body.length
          && body[end + 1] == '\n' ? end + 2 : end + 1;
    }
    return null;
  }
}
