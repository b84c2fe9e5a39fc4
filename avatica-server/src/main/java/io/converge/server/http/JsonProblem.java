package io.converge.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.converge.storage.json.DocumentLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a body stops being readable JSON: the first invalid UTF-8 byte, syntax error, duplicate
 * key or number of more than 1,000 characters, with its line, column and byte offset in the
 * request body.
 *
 * <p>Only runs once storage's {@code JsonDocumentReader} has refused the input (it parses the
 * documents; this pass only pinpoints the problem, in bytes of the request rather than the
 * reader's characters, and tells a syntax error from a readable value that is not an object).
 * The rules are the reader's: duplicate keys make a document unreadable; documents beyond the
 * {@link DocumentLimits} (nesting depth, array length, ...) or with a number beyond the double
 * range are readable, and rejected alone. Nesting beyond the parser's limit
 * ({@value DocumentLimits#PARSER_DEPTH_LIMIT} levels) is a problem inside a JSON array, whose
 * framing cannot be followed past it, but not on an NDJSON line of its own.
 *
 * @param line 1-based line of the body
 * @param column 1-based column within the line, in bytes
 * @param byteOffset 0-based offset in the body
 */
record JsonProblem(String reason, long line, long column, long byteOffset) {
  /** Deepest nesting the parser follows, as in {@code JsonDocumentReader}. */
  static final int MAX_DOCUMENT_DEPTH = DocumentLimits.PARSER_DEPTH_LIMIT;

  private static final JsonFactory STRICT = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DOCUMENT_DEPTH + 3)
          .maxStringLength(Integer.MAX_VALUE)
          .maxNumberLength(1000)
          .build())
      .build();

  String message() {
    return "malformed JSON: " + reason + " at line " + line + ", column " + column + " (byte "
        + byteOffset + ")";
  }

  ApiException toApiException() {
    return ApiException.badRequest(message()).with("line", line).with("column", column)
        .with("byte", byteOffset);
  }

  /** The first byte that is not valid UTF-8, or null when the whole body is. */
  static JsonProblem invalidUtf8(byte[] body) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(8192);
    while (true) {
      CoderResult r = d.decode(in, out, true);
      if (r.isError()) {
        return at("invalid UTF-8", body, in.position());
      }
      if (r.isUnderflow()) {
        return null;
      }
      out.clear();
    }
  }

  /**
   * The first problem reading {@code body[from, to)} as exactly one JSON value, {@code outerDepth}
   * 0 for an NDJSON line, 1 for a JSON array of documents; null when it is readable (or, on an
   * NDJSON line, nests beyond {@link #MAX_DOCUMENT_DEPTH}: that document alone is rejected).
   */
  static JsonProblem firstProblem(byte[] body, int from, int to, int outerDepth) {
    byte[] text = from == 0 && to == body.length ? body : Arrays.copyOfRange(body, from, to);
    try (JsonParser p = STRICT.createParser(text)) {
      int depth = 0;
      JsonToken t = p.nextToken();
      while (t != null) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> {
            if (++depth > MAX_DOCUMENT_DEPTH + outerDepth) {
              if (outerDepth == 0) {
                return null;
              }
              return located("a document nests deeper than " + MAX_DOCUMENT_DEPTH
                  + " levels (the parser's limit)", body, from, p.currentTokenLocation());
            }
          }
          case END_OBJECT, END_ARRAY -> depth--;
          default -> { }
        }
        if (depth == 0) {
          JsonToken extra = p.nextToken();
          if (extra != null) {
            return located("unexpected content after the JSON value", body, from,
                p.currentTokenLocation());
          }
          return null;
        }
        t = p.nextToken();
      }
      return located("unexpected end of input", body, from, p.currentLocation());
    } catch (JsonProcessingException e) {
      return located(jacksonReason(e), body, from, e.getLocation());
    } catch (IOException e) {
      return at(String.valueOf(e.getMessage()), body, from);
    }
  }

  private static JsonProblem located(String reason, byte[] body, int from, JsonLocation loc) {
    long offset = loc == null || loc.getByteOffset() < 0 ? 0 : loc.getByteOffset();
    return at(reason, body, (int) Math.min(body.length, from + offset));
  }

  /** A problem at a byte offset, its line and column counted from the start of the body. */
  static JsonProblem at(String reason, byte[] body, int offset) {
    long line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset && i < body.length; i++) {
      if (body[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new JsonProblem(reason, line, offset - lineStart + 1, offset);
  }

  /** Jackson's message without its own location notes (this record carries the position). */
  private static String jacksonReason(JsonProcessingException e) {
    String m = String.valueOf(e.getOriginalMessage());
    int nl = m.indexOf('\n');
    m = nl > 0 ? m.substring(0, nl) : m;
    return m.replaceAll("\\s*\\(start marker at \\[Source: .*?\\]\\)", "");
  }
}
