package io.converge.storage.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
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
 * keys in one object and invalid UTF-8 make the input malformed (the line, or the whole array).
 *
 * <p>A readable document beyond the {@link DocumentLimits} (nesting depth, array length, field
 * name length) or holding a number beyond the double range is rejected alone: an error entry
 * naming the limit and the path where it was crossed ({@code document exceeds nesting depth 64
 * at a.b[2].c}), and reading goes on, in a JSON array too (the rest of that element is skipped).
 * Numbers of more than 1,000 characters are malformed.
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
  /**
   * The same parser rules without Jackson's duplicate-key detection (a hash set per object): an
   * NDJSON line is read with it first, duplicates are caught by the map not growing, and any line
   * that is not a plain document is read again with {@link #factory}, for the exact same entry.
   */
  private final JsonFactory lenient;
  /** True while {@link #lenient} reads a line: a repeated key throws {@link Redo}. */
  private boolean lenientLine;
  private final InputStream in;
  /** The stream form's readers, opened on first use (never, for NDJSON read from bytes). */
  private PushbackReader reader;
  private BufferedReader lines;
  /** An NDJSON body given as valid UTF-8 bytes: lines are found and parsed in the bytes. */
  private byte[] bytes;
  private int pos;
  private int end;
  private final DocumentLimits limits;
  private final int maxDepth;
  private Boolean arrayMode;
  private JsonParser arrayParser;
  /** The parsing context of the input's top-level array (array mode). */
  private JsonStreamContext topArray;
  private long lineNo;
  private long elementNo;
  private boolean done;

  /** With the {@link DocumentLimits#DEFAULTS}. */
  public JsonDocumentReader(InputStream in) {
    this(in, DocumentLimits.DEFAULTS);
  }

  /**
   * @param maxDepth deepest nesting of objects and arrays accepted in a document
   * @param maxStringLength longest string value accepted (characters); a longer one makes the
   *     input malformed
   */
  public JsonDocumentReader(InputStream in, int maxDepth, long maxStringLength) {
    this(in, DocumentLimits.DEFAULTS.withMaxDepth(maxDepth), maxStringLength);
  }

  /** Documents beyond {@code limits} are rejected one by one (the document size is the preparer's). */
  public JsonDocumentReader(InputStream in, DocumentLimits limits) {
    this(in, limits, Integer.MAX_VALUE);
  }

  private JsonDocumentReader(InputStream in, DocumentLimits limits, long maxStringLength) {
    this.limits = limits;
    this.maxDepth = limits.maxDepth();
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(DocumentLimits.PARSER_DEPTH_LIMIT + 1)
        .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxStringLength))
        .maxNumberLength(MAX_NUMBER_LENGTH)
        .build();
    this.factory = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .streamReadConstraints(constraints)
        .build();
    this.lenient = JsonFactory.builder()
        .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .streamReadConstraints(constraints)
        .build();
    this.in = in;
  }

  /**
   * Reads {@code body[off..off + len)} with the same entries, line numbers and errors as
   * {@code new JsonDocumentReader(new ByteArrayInputStream(...), limits)}. When the body is valid
   * UTF-8 NDJSON, lines are cut in the bytes (no stream decoder, no 64K-character buffers per
   * reader, ASCII lines copied once into their String); a JSON array, or invalid UTF-8 anywhere,
   * is read as a stream.
   */
  public static JsonDocumentReader ofBytes(byte[] body, int off, int len, DocumentLimits limits) {
    JsonDocumentReader r = new JsonDocumentReader(new ByteArrayInputStream(body, off, len),
        limits);
    if (isValidUtf8(body, off, len)) {
      r.bytes = body;
      r.pos = off;
      r.end = off + len;
    }
    return r;
  }

  private static boolean isValidUtf8(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b[i] < 0) {
        try {
          StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(b, i, off + len - i));
          return true;
        } catch (java.nio.charset.CharacterCodingException e) {
          return false;
        }
      }
    }
    return true;
  }

  private void openStream() {
    if (reader == null) {
      Reader r = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT));
      this.reader = new PushbackReader(new BufferedReader(r, 1 << 16), 1);
      this.lines = new BufferedReader(reader, 1 << 16);
    }
  }

  /** Reads a whole body into a list; array syntax errors throw, NDJSON errors become entries. */
  public static List<Entry> readAll(InputStream in) throws IOException {
    return readAll(in, DocumentLimits.DEFAULTS);
  }

  /** {@link #readAll(InputStream)} with other limits. */
  public static List<Entry> readAll(InputStream in, DocumentLimits limits) throws IOException {
    List<Entry> out = new ArrayList<>();
    try (JsonDocumentReader r = new JsonDocumentReader(in, limits)) {
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
    if (arrayMode == null && bytes != null) {
      // Leading blank space as below: spaces, tabs, line breaks (counting \n), byte-order marks.
      int i = pos;
      long breaks = 0;
      while (i < end) {
        byte b = bytes[i];
        if (b == ' ' || b == '\t' || b == '\r') {
          i++;
        } else if (b == '\n') {
          breaks++;
          i++;
        } else if ((b & 0xff) == 0xEF && i + 2 < end && (bytes[i + 1] & 0xff) == 0xBB
            && (bytes[i + 2] & 0xff) == 0xBF) {
          i += 3;
        } else {
          break;
        }
      }
      if (i < end && bytes[i] == '[') {
        bytes = null; // a JSON array: read as a stream, from the start
      } else {
        lineNo = breaks;
        pos = i;
        arrayMode = false;
      }
    }
    if (arrayMode == null) {
      openStream();
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
        topArray = arrayParser.getParsingContext();
      }
    }
    return arrayMode ? nextElement() : bytes != null ? nextByteLine() : nextLine();
  }

  /** {@link #nextLine()} over the bytes: lines end at \n, \r or \r\n, as readLine has them. */
  private Entry nextByteLine() throws IOException {
    while (true) {
      if (pos >= end) {
        done = true;
        return null;
      }
      int start = pos;
      int e = start;
      boolean ascii = true;
      boolean blank = true;
      while (e < end) {
        byte b = bytes[e];
        if (b == '\n' || b == '\r') {
          break;
        }
        if (b < 0) {
          ascii = false;
        } else if (blank && !Character.isWhitespace(b)) {
          blank = false;
        }
        e++;
      }
      pos = e < end && bytes[e] == '\r' && e + 1 < end && bytes[e + 1] == '\n' ? e + 2 : e + 1;
      lineNo++;
      if (ascii) {
        if (blank) {
          continue;
        }
        return readAsciiLine(start, e - start);
      }
      String line = new String(bytes, start, e - start, StandardCharsets.UTF_8);
      if (line.isBlank()) {
        continue;
      }
      return readLine(line);
    }
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
      return readLine(line);
    }
  }

  /** Lets a test compare the two-step reading of lines with the strict reading alone. */
  static volatile boolean strictLinesForTests;

  /** Raised by the lenient first reading of a line that needs the strict one. */
  private static final class Redo extends RuntimeException {
    Redo() {
      super(null, null, false, false);
    }
  }

  /**
   * The entry of one NDJSON line: read leniently (no duplicate-key hashing), and once more
   * strictly when that did not give a plain document, so every entry is the strict reading's.
   */
  private Entry readLine(String line) throws IOException {
    if (strictLinesForTests) {
      return parseLine(factory.createParser(line));
    }
    Entry plain = readLeniently(lenient.createParser(line));
    return plain != null ? plain : parseLine(factory.createParser(line));
  }

  /**
   * The lenient reading of one line: its document when the line is one plain object, else null
   * (the caller reads it again strictly, for the strict reading's entry and message).
   */
  private Entry readLeniently(JsonParser parser) {
    lenientLine = true;
    try (JsonParser p = parser) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        Map<String, Object> doc = readObject(p, 1);
        if (p.nextToken() == null) {
          return new Entry(lineNo, doc, null);
        }
      }
    } catch (IOException | Redo | Rejected e) {
      // read it again strictly
    } finally {
      lenientLine = false;
    }
    return null;
  }

  /**
   * {@link #readLine} of an ASCII line of {@link #bytes}: the lenient reading parses the bytes
   * themselves; the strict one, when needed, the line as a String, as the stream form does (its
   * messages name the source's kind).
   */
  private Entry readAsciiLine(int start, int len) throws IOException {
    if (!strictLinesForTests) {
      Entry plain = readLeniently(lenient.createParser(bytes, start, len));
      if (plain != null) {
        return plain;
      }
    }
    return parseLine(factory.createParser(
        new String(bytes, start, len, StandardCharsets.ISO_8859_1)));
  }

  /** One NDJSON line's entry: a document, or why the line is not one. */
  private Entry parseLine(JsonParser parser) throws IOException {
    try (JsonParser p = parser) {
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
    } catch (StreamConstraintsException e) {
      return new Entry(lineNo, null, constraintReason(e));
    } catch (JsonParseException e) {
      return new Entry(lineNo, null, reason(e));
    } catch (Rejected e) {
      return new Entry(lineNo, null, e.getMessage());
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
      try {
        return new Entry(elementNo, readObject(arrayParser, 1), null);
      } catch (Rejected e) {
        skipRestOfElement();
        return new Entry(elementNo, null, e.getMessage());
      }
    } catch (JsonParseException | StreamConstraintsException e) {
      done = true;
      JsonLocation loc = e instanceof JsonParseException jpe ? jpe.getLocation() : null;
      if (loc == null) {
        loc = arrayParser.currentLocation();
      }
      String why = e instanceof StreamConstraintsException sce ? constraintReason(sce) : reason(e);
      throw new MalformedJsonException(why, loc.getLineNr(), loc.getColumnNr(),
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

  /** Characters of the longest number read (digits, sign, point, exponent); longer is malformed. */
  static final int MAX_NUMBER_LENGTH = 1_000;

  /** The document cannot be stored; the input around it is still readable. */
  private static final class Rejected extends RuntimeException {
    Rejected(String m) {
      super(m, null, false, false);
    }
  }

  /** After a rejected element of the top-level array: on to the token that ends it. */
  private void skipRestOfElement() throws IOException {
    while (arrayParser.getParsingContext() != topArray) {
      if (arrayParser.nextToken() == null) {
        throw new JsonParseException(arrayParser, "unexpected end of input inside an element");
      }
    }
  }

  /**
   * Where the parser is inside the current document, as a dotted path with array indexes
   * ({@code customer.tags[3]}); "the top level" for the document itself. Long paths are shortened
   * in the middle.
   */
  private String pathOf(JsonParser p) {
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot() && c != topArray;
        c = c.getParent()) {
      if (c.inObject() && c.getCurrentName() != null) {
        parts.add(c.getCurrentName());
      } else if (c.inArray() && c.hasCurrentIndex()) {
        parts.add("[" + c.getCurrentIndex() + "]");
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = parts.size() - 1; i >= 0; i--) {
      String part = parts.get(i);
      if (sb.length() > 0 && !part.startsWith("[")) {
        sb.append('.');
      }
      sb.append(part);
    }
    if (sb.length() == 0) {
      return "the top level";
    }
    return sb.length() <= 120 ? sb.toString()
        : sb.substring(0, 50) + "..." + sb.substring(sb.length() - 60);
  }

  private Map<String, Object> readObject(JsonParser p, int depth) throws IOException {
    if (depth > maxDepth) {
      throw new Rejected("document exceeds nesting depth " + maxDepth + " at " + pathOf(p));
    }
    Map<String, Object> map = new LinkedHashMap<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      if (name.length() > limits.maxFieldNameLength()) {
        throw new Rejected("field name of " + name.length() + " characters exceeds the limit of "
            + limits.maxFieldNameLength() + " at " + pathOf(p));
      }
      p.nextToken();
      int before = map.size();
      map.put(name, readValue(p, depth));
      if (lenientLine && map.size() == before) {
        throw new Redo(); // a repeated key: the strict reading reports it
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new JsonParseException(p, "unexpected end of input inside an object");
    }
    return map;
  }

  private List<Object> readArray(JsonParser p, int depth) throws IOException {
    if (depth > maxDepth) {
      throw new Rejected("document exceeds nesting depth " + maxDepth + " at " + pathOf(p));
    }
    List<Object> list = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new JsonParseException(p, "unexpected end of input inside an array");
      }
      if (list.size() == limits.maxArrayLength()) {
        String at = pathOf(p);
        throw new Rejected("array at " + at.substring(0, Math.max(0, at.lastIndexOf('[')))
            + " has more than " + limits.maxArrayLength() + " elements (the limit)");
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
        return SHORT_STRINGS.get().of(p);
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          BigInteger big = p.getBigIntegerValue();
          double d = big.doubleValue();
          if (Double.isInfinite(d)) {
            throw new Rejected("number " + abbreviate(p.getText())
                + " is beyond the double range at " + pathOf(p));
          }
          return d;
        }
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT: {
        double d = p.getDoubleValue();
        if (Double.isInfinite(d)) {
          throw new Rejected("number " + abbreviate(p.getText())
                + " is beyond the double range at " + pathOf(p));
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

  /**
   * Each thread's last short string values (a direct-mapped table): statuses, countries, tags and
   * other repetitive values come out as one String instance instead of one per document. Saves
   * the allocation for a repeat, and documents wait in memory (in the open column segment) until
   * their segment is sealed: fewer objects there is less for every young collection to copy.
   * Equal strings either way.
   */
  private static final ThreadLocal<ShortStrings> SHORT_STRINGS =
      ThreadLocal.withInitial(ShortStrings::new);

  private static final class ShortStrings {
    /** Longer strings (timestamps, ids, text) are rarely repeated: made as they come. */
    private static final int MAX_LENGTH = 16;
    private final String[] table = new String[1024];

    String of(JsonParser p) throws IOException {
      int len = p.getTextLength();
      if (len > MAX_LENGTH) {
        return p.getText();
      }
      char[] chars = p.getTextCharacters();
      int off = p.getTextOffset();
      int h = 0;
      for (int i = off; i < off + len; i++) {
        h = 31 * h + chars[i];
      }
      int slot = (h ^ (h >>> 16)) & (table.length - 1);
      String seen = table[slot];
      if (seen != null && seen.length() == len) {
        int i = 0;
        while (i < len && seen.charAt(i) == chars[off + i]) {
          i++;
        }
        if (i == len) {
          return seen;
        }
      }
      String s = new String(chars, off, len);
      table[slot] = s;
      return s;
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

  /** Jackson's safety limits in plain words. */
  private static String constraintReason(StreamConstraintsException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("nesting depth")) {
      return "document nests deeper than " + DocumentLimits.PARSER_DEPTH_LIMIT
          + " levels (the parser's limit)";
    }
    if (m.contains("Number value length") || m.contains("number value length")) {
      return "a number has more than " + MAX_NUMBER_LENGTH + " characters";
    }
    if (m.contains("String value length") || m.contains("string value length")) {
      return "a string is longer than the limit";
    }
    return reason(e);
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
    if (lines != null) {
      lines.close();
    } else {
      in.close();
    }
  }
}
