package io.converge.server.http;

import io.converge.storage.ConvergeStore;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One resource of the HTTP API, parsed from the raw (still percent-encoded) request path:
 *
 * <pre>
 * /v1/collections                      GET     list collections
 * /v1/collections/{name}               GET     one collection's count and fields
 * /v1/collections/{name}/docs          POST    upsert documents
 * /v1/collections/{name}/docs/{id}     DELETE  delete one document by _id
 * </pre>
 *
 * Segments are percent-decoded as UTF-8 ({@code +} stays a plus sign), so a name or an
 * {@code _id} holding a slash travels as {@code %2F}.
 */
record ApiRoute(Kind kind, String collection, String id) {
  static final String PREFIX = "/v1";

  enum Kind {
    COLLECTIONS("GET"), COLLECTION("GET"), DOCUMENTS("POST"), DOCUMENT("DELETE");

    /** The one method each resource serves, also the {@code Allow} header of a 405. */
    final String method;

    Kind(String method) {
      this.method = method;
    }
  }

  /** True for paths this API owns; every other path belongs to the Avatica endpoint. */
  static boolean owns(String rawPath) {
    return rawPath != null && (rawPath.equals(PREFIX) || rawPath.startsWith(PREFIX + "/"));
  }

  /** The resource of an owned path; 404 for paths the API does not serve, 400 for bad names. */
  static ApiRoute parse(String rawPath) throws ApiException {
    String rest = rawPath.substring(PREFIX.length());
    if (rest.endsWith("/") && rest.length() > 1) {
      rest = rest.substring(0, rest.length() - 1); // one trailing slash is harmless
    }
    List<String> segments = new ArrayList<>();
    if (!rest.isEmpty()) {
      for (String s : rest.substring(1).split("/", -1)) {
        segments.add(s);
      }
    }
    if (segments.isEmpty() || !segments.get(0).equals("collections") || segments.size() > 4
        || (segments.size() >= 3 && !segments.get(2).equals("docs"))) {
      throw ApiException.notFound("no such resource: " + rawPath + " (the API serves "
          + "/v1/collections, /v1/collections/{name}, /v1/collections/{name}/docs and "
          + "/v1/collections/{name}/docs/{id})");
    }
    if (segments.size() == 1) {
      return new ApiRoute(Kind.COLLECTIONS, null, null);
    }
    String name = decode(segments.get(1), "collection name");
    try {
      ConvergeStore.validateName(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("bad collection name: " + e.getMessage());
    }
    return switch (segments.size()) {
      case 2 -> new ApiRoute(Kind.COLLECTION, name, null);
      case 3 -> new ApiRoute(Kind.DOCUMENTS, name, null);
      default -> {
        String id = decode(segments.get(3), "_id");
        if (id.isEmpty()) {
          throw ApiException.badRequest("_id must not be empty");
        }
        yield new ApiRoute(Kind.DOCUMENT, name, id);
      }
    };
  }

  /** Percent-decodes one path segment as strict UTF-8. */
  static String decode(String segment, String what) throws ApiException {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c != '%') {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
      if (hi < 0 || lo < 0) {
        throw ApiException.badRequest("bad percent-encoding in the " + what + " '" + segment + "'");
      }
      bytes.write(hi * 16 + lo);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest("the " + what + " '" + segment + "' is not UTF-8 once decoded");
    }
  }
}
