package io.converge.storage.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads documents from a JSON array ({@code [{...}, {...}]}) or from NDJSON (one JSON value per
 * line), detected from the first non-blank character.
 *
 * <p>NDJSON is forgiving: a malformed line becomes an {@link Entry} with its line number and the
 * parser's reason, and reading goes on with the next line. A JSON array is one JSON text, so a
 * syntax error in it ends the stream with a {@link MalformedJsonException} that carries the line,
 * column and byte position. In both forms an element that is not an object is an error entry.
 *
 * <p>Values come out normalized: objects as {@link LinkedHashMap}, arrays as {@link ArrayList},
 * integers as {@link Long} (beyond int64 as {@link Double}), decimals as {@link Double}. Duplicate
 * keys in one object are rejected; so are invalid UTF-8 and numbers beyond the double range.
 */
public final class JsonDocumentReader implements Closeable {
  /** One document or one rejected input, with its 1-based line (NDJSON) or element number. */
  public record Entry(long line, Map<String, Object> document, String error) {
    public boolean ok() {
      return error == null;
    }
  }

  /** The input is not valid JSON as a whole. */
  public static final class MalformedJsonException extends IOException {
    public final long line;
    public final long column;
    public final long byteOffset;

    MalformedJsonException(String reason, long line, long column, long byteOffset) {
      super(reason + " at line " + line + ", column " + column
          + (byteOffset >= 0 ? " (byte " + byteOffset + ")" : ""));
      this.line = line;
      this.column = column;
      this.byteOffset = byteOffset;
    }
  }

  private final JsonFactory factory;
  private final PushbackReader reader;
  private final BufferedReader lines;
  private final int maxDepth;
  private Boolean arrayMode;
  private JsonParser arrayParser;
  private long lineNo;
  private long elementNo;
  private boolean done;

  public JsonDocumentReader(InputStream in) {
    this(in, 64, 64L << 20);
  }

  /**
   * @param maxDepth deepest nesting of objects and arrays accepted in a document
   * @param maxStringLength longest string value accepted (characters)
   */
  public JsonDocumentReader(InputStream in, int maxDepth, long maxStringLength) {
    this.maxDepth = maxDepth;
    this.factory = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(maxDepth + 1)
            .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxStringLength))
            .maxNumberLength(1000)
            .build())
        .build();
    Reader r = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT));
    this.reader = new PushbackReader(new BufferedReader(r, 1 << 16), 1);
    this.lines = new BufferedReader(reader, 1 << 16);
  }

  /** Reads a whole body into a list; array syntax errors throw, NDJSON errors become entries. */
  public static List<Entry> readAll(InputStream in) throws IOException {
    List<Entry> out = new ArrayList<>();
    try (JsonDocumentReader r = new JsonDocumentReader(in)) {
      Entry e;
      while ((e = r.next()) != null) {
        out.add(e);
      }
    }
    return out;
  }

  /** The next entry, or null at the end of the input. */
  public Entry next() throws IOException {
    if (done) {
      return null;
    }
    if (arrayMode == null) {
      int c;
      try {
        do {
          c = reader.read();
          if (c == '\n') {
            lineNo++;
          }
        } while (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xFEFF);
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new MalformedJsonException("invalid UTF-8", lineNo + 1, 0, -1);
      }
      if (c < 0) {
        done = true;
        return null;
      }
      reader.unread(c);
      arrayMode = c == '[';
      if (arrayMode) {
        arrayParser = factory.createParser(reader);
        arrayParser.nextToken(); // START_ARRAY
      }
    }
    return arrayMode ? nextElement() : nextLine();
  }

  private Entry nextLine() throws IOException {
    while (true) {
      String line;
      try {
        line = lines.readLine();
      } catch (java.nio.charset.CharacterCodingException e) {
        lineNo++;
        done = true;
        throw new MalformedJsonException("invalid UTF-8", lineNo, 0, -1);
      }
      if (line == null) {
        done = true;
        return null;
      }
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      try (JsonParser p = factory.createParser(line)) {
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
          return new Entry(lineNo, null, "document is not a JSON object (found " + describe(t) + ")");
        }
        Map<String, Object> doc = readObject(p, 1);
        JsonToken extra = p.nextToken();
        if (extra != null) {
          return new Entry(lineNo, null,
              "unexpected " + describe(extra) + " after the document at column "
                  + p.currentLocation().getColumnNr());
        }
        return new Entry(lineNo, doc, null);
      } catch (JsonParseException | StreamConstraintsException e) {
        return new Entry(lineNo, null, reason(e));
      } catch (InvalidNumber e) {
        return new Entry(lineNo, null, e.getMessage());
      }
    }
  }

  private Entry nextElement() throws IOException {
    try {
      JsonToken t = arrayParser.nextToken();
      if (t == JsonToken.END_ARRAY || t == null) {
        if (t == null) {
          throw malformed("unexpected end of input: the JSON array is not closed", arrayParser);
        }
        JsonToken after = arrayParser.nextToken();
        if (after != null) {
          throw malformed("unexpected " + describe(after) + " after the JSON array", arrayParser);
        }
        done = true;
        return null;
      }
      elementNo++;
      if (t != JsonToken.START_OBJECT) {
        if (t == JsonToken.START_ARRAY) {
          arrayParser.skipChildren();
        }
        return new Entry(elementNo, null,
            "element " + elementNo + " is not a JSON object (found " + describe(t) + ")");
      }
      return new Entry(elementNo, readObject(arrayParser, 1), null);
    } catch (JsonParseException | StreamConstraintsException e) {
      done = true;
      JsonLocation loc = e instanceof JsonParseException jpe ? jpe.getLocation() : null;
      if (loc == null) {
        loc = arrayParser.currentLocation();
      }
      throw new MalformedJsonException(reason(e), loc.getLineNr(), loc.getColumnNr(),
          loc.getCharOffset());
    } catch (InvalidNumber e) {
      done = true;
      JsonLocation loc = arrayParser.currentLocation();
      throw new MalformedJsonException(e.getMessage(), loc.getLineNr(), loc.getColumnNr(),
          loc.getCharOffset());
    } catch (java.nio.charset.CharacterCodingException e) {
      done = true;
      JsonLocation loc = arrayParser.currentLocation();
      throw new MalformedJsonException("invalid UTF-8", loc.getLineNr(), loc.getColumnNr(),
          loc.getCharOffset());
    }
  }

  private static MalformedJsonException malformed(String reason, JsonParser p) {
    JsonLocation loc = p.currentLocation();
    return new MalformedJsonException(reason, loc.getLineNr(), loc.getColumnNr(),
        loc.getCharOffset());
  }

  private static final class InvalidNumber extends RuntimeException {
    InvalidNumber(String m) {
      super(m);
    }
  }

  private Map<String, Object> readObject(JsonParser p, int depth) throws IOException {
    if (depth > maxDepth) {
      throw new InvalidNumber("document nests deeper than " + maxDepth + " levels");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      map.put(name, readValue(p, depth));
    }
    if (t != JsonToken.END_OBJECT) {
      throw new JsonParseException(p, "unexpected end of input inside an object");
    }
    return map;
  }

  private List<Object> readArray(JsonParser p, int depth) throws IOException {
    if (depth > maxDepth) {
      throw new InvalidNumber("document nests deeper than " + maxDepth + " levels");
    }
    List<Object> list = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new JsonParseException(p, "unexpected end of input inside an array");
      }
      list.add(readValue(p, depth));
    }
    return list;
  }

  private Object readValue(JsonParser p, int depth) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        return readObject(p, depth + 1);
      case START_ARRAY:
        return readArray(p, depth + 1);
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          BigInteger big = p.getBigIntegerValue();
          double d = big.doubleValue();
          if (Double.isInfinite(d)) {
            throw new InvalidNumber("number " + abbreviate(p.getText()) + " is beyond the double range");
          }
          return d;
        }
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT: {
        double d = p.getDoubleValue();
        if (Double.isInfinite(d)) {
          throw new InvalidNumber("number " + abbreviate(p.getText()) + " is beyond the double range");
        }
        return d;
      }
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new JsonParseException(p, "unexpected token " + t);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    return switch (t) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
    };
  }

  private static String reason(Exception e) {
    String m = e.getMessage();
    if (e instanceof JsonParseException jpe) {
      m = jpe.getOriginalMessage();
    }
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }

  @Override
  public void close() throws IOException {
    if (arrayParser != null) {
      arrayParser.close();
    }
    lines.close();
  }
}
