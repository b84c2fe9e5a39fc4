package io.converge.server.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Loads one file through a running server's (or a cluster aggregator's) HTTP API: NDJSON lines or
 * JSON array elements go out in bodies of about {@code batchBytes}, each POSTed to
 * {@code /v1/collections/{name}/docs}, and each answer's per-document errors are reported with
 * the file's own line (NDJSON) or element (array) number, as the local load reports them.
 *
 * <p>The HTTP API refuses a whole NDJSON body when one line is not JSON at all, where the local
 * load skips that line alone: such a line is reported, blanked and the rest of the body sent
 * again, so the outcome is the local load's.
 */
final class RemoteLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  /** What one file's load came to. */
  record Result(long loaded, long rejected, String malformed, double seconds) {
    double docsPerSecond() {
      return seconds > 0 ? loaded / seconds : 0;
    }
  }

  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(30)).build();
  private final URI docs;
  private final String authorization;
  private final int batchBytes;

  /**
   * @param baseUrl the server's base URL, such as {@code http://127.0.0.1:8765}
   * @param user a user name, or null without authentication
   */
  RemoteLoad(String baseUrl, String collection, String user, String password, int batchBytes) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.docs = URI.create(base + "/v1/collections/"
        + URLEncoder.encode(collection, StandardCharsets.UTF_8).replace("+", "%20") + "/docs");
    this.authorization = user == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
    this.batchBytes = batchBytes;
  }

  /** Loads one input; a failure of the server or the connection throws with the reason. */
  Result load(InputStream raw, LoadProgress listener) throws IOException {
    long t0 = System.nanoTime();
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    int first = firstNonBlank(in);
    Counter c = new Counter(listener);
    String malformed = null;
    if (first == '[') {
      malformed = loadArray(in, c);
    } else if (first >= 0) {
      loadLines(in, c);
    }
    return new Result(c.loaded, c.rejected, malformed, (System.nanoTime() - t0) / 1e9);
  }

  private void loadLines(InputStream in, Counter c) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(batchBytes + (1 << 16));
    long firstLine = 1;
    long line = 0;
    ByteArrayOutputStream current = new ByteArrayOutputStream(1 << 12);
    int b;
    while (true) {
      b = in.read();
      if (b < 0 && current.size() == 0) {
        break;
      }
      if (b >= 0) {
        c.bytes++;
        current.write(b);
        if (b != '\n') {
          continue;
        }
      }
      line++;
      current.writeTo(body);
      current.reset();
      if (body.size() >= batchBytes) {
        sendLines(body.toByteArray(), firstLine, c);
        body.reset();
        firstLine = line + 1;
      }
      if (b < 0) {
        break;
      }
    }
    if (body.size() > 0) {
      sendLines(body.toByteArray(), firstLine, c);
    }
  }

  /** Sends NDJSON lines; a line that is not JSON at all is reported, blanked and the rest sent. */
  private void sendLines(byte[] body, long firstLine, Counter c) throws IOException {
    while (true) {
      Answer a = post(body, "application/x-ndjson");
      if (a.status == 200) {
        c.add(a.body, firstLine, "line");
        return;
      }
      JsonNode at = a.body == null ? null : a.body.get("line");
      if (a.status != 400 || at == null || !at.canConvertToLong()) {
        throw refused(a);
      }
      long bad = at.asLong();
      c.reject(firstLine + bad - 1, a.body.path("error").asText());
      if (!blankLine(body, bad)) {
        throw refused(a);
      }
    }
  }

  private String loadArray(InputStream in, Counter c) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(batchBytes + (1 << 16));
    long firstElement = 1;
    long element = 0;
    JsonFactory factory = JSON.getFactory();
    try (JsonParser p = factory.createParser(new CountingInput(in, c))) {
      p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      if (p.nextToken() != JsonToken.START_ARRAY) {
        return "expected a JSON array";
      }
      JsonGenerator g = null;
      try {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (p.currentToken() == null) {
            return "unexpected end of input inside the array";
          }
          if (g == null) {
            g = factory.createGenerator(body);
            g.writeStartArray();
          }
          element++;
          g.copyCurrentStructure(p);
          g.flush();
          if (body.size() >= batchBytes) {
            g.writeEndArray();
            g.close();
            g = null;
            sendArray(body.toByteArray(), firstElement, c);
            body.reset();
            firstElement = element + 1;
          }
        }
      } catch (JsonParseException e) {
        flushArray(g, body, firstElement, c);
        return e.getOriginalMessage() + " at line " + e.getLocation().getLineNr() + " column "
            + e.getLocation().getColumnNr();
      }
      flushArray(g, body, firstElement, c);
    }
    return null;
  }

  private void flushArray(JsonGenerator g, ByteArrayOutputStream body, long firstElement,
      Counter c) throws IOException {
    if (g != null) {
      g.writeEndArray();
      g.close();
      sendArray(body.toByteArray(), firstElement, c);
      body.reset();
    }
  }

  private void sendArray(byte[] body, long firstElement, Counter c) throws IOException {
    Answer a = post(body, "application/json");
    if (a.status != 200) {
      throw refused(a);
    }
    c.add(a.body, firstElement, "element");
  }

  private Answer post(byte[] body, String type) throws IOException {
    HttpRequest.Builder r = HttpRequest.newBuilder(docs).timeout(TIMEOUT)
        .header("Content-Type", type + ";charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) {
      r.header("Authorization", authorization);
    }
    HttpResponse<byte[]> response;
    try {
      response = client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + docs);
    } catch (IOException e) {
      throw new IOException("cannot reach " + docs + ": " + e, e);
    }
    JsonNode json = null;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException e) {
      // not JSON: the status alone says what happened
    }
    return new Answer(response.statusCode(), json);
  }

  private IOException refused(Answer a) {
    String why = a.body != null && a.body.hasNonNull("error") ? a.body.get("error").asText()
        : "no reason given";
    return new IOException("the server answered " + a.status + " to POST " + docs + ": " + why);
  }

  /** Replaces line {@code line} (1-based) of an NDJSON body by blanks; false if absent. */
  private static boolean blankLine(byte[] body, long line) {
    long at = 1;
    for (int i = 0; i < body.length; i++) {
      if (at == line) {
        boolean any = false;
        for (int j = i; j < body.length && body[j] != '\n'; j++) {
          if (body[j] != ' ' && body[j] != '\r' && body[j] != '\t') {
            body[j] = ' ';
            any = true;
          }
        }
        return any;
      }
      if (body[i] == '\n') {
        at++;
      }
    }
    return false;
  }

  /** The first byte that is not blank (or a byte-order mark), leaving the input unread. */
  private static int firstNonBlank(BufferedInputStream in) throws IOException {
    in.mark(1 << 16);
    int b;
    do {
      b = in.read();
    } while (b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0xEF || b == 0xBB
        || b == 0xBF);
    in.reset();
    return b;
  }

  private record Answer(int status, JsonNode body) {}

  /** Adds up the answers and reports rejected documents with the file's numbering. */
  private static final class Counter {
    final LoadProgress listener;
    long loaded;
    long rejected;
    long bytes;

    Counter(LoadProgress listener) {
      this.listener = listener;
    }

    void add(JsonNode answer, long first, String position) {
      loaded += answer.path("written").asLong();
      for (JsonNode r : answer.path("results")) {
        if ("error".equals(r.path("status").asText())) {
          reject(first + r.path(position).asLong() - 1, r.path("error").asText());
        }
      }
      listener.progress(loaded, rejected, bytes);
    }

    void reject(long at, String reason) {
      rejected++;
      listener.rejected(null, at, reason);
    }
  }

  /** Counts the bytes the JSON parser reads, for the progress bar. */
  private static final class CountingInput extends java.io.FilterInputStream {
    private final Counter counter;

    CountingInput(InputStream in, Counter counter) {
      super(in);
      this.counter = counter;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        counter.bytes++;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        counter.bytes += n;
      }
      return n;
    }
  }
}
