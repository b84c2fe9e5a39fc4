package io.converge.storage.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link JsonDocumentReader#ofBytes} reads exactly what the stream form reads. */
class JsonDocumentReaderBytesTest {
  private static List<String> read(JsonDocumentReader r) {
    List<String> out = new ArrayList<>();
    try (r) {
      JsonDocumentReader.Entry e;
      while ((e = r.next()) != null) {
        out.add(e.line() + " " + e.document() + " " + e.error());
      }
    } catch (JsonDocumentReader.MalformedJsonException m) {
      out.add("malformed: " + m.getMessage());
    } catch (IOException e) {
      out.add("io: " + e);
    }
    return out;
  }

  private static void assertSame(byte[] body, DocumentLimits limits) {
    List<String> stream = read(new JsonDocumentReader(new ByteArrayInputStream(body), limits));
    byte[] padded = new byte[body.length + 6];
    System.arraycopy(body, 0, padded, 3, body.length);
    List<String> bytes = read(JsonDocumentReader.ofBytes(padded, 3, body.length, limits));
    assertEquals(stream, bytes, new String(body, StandardCharsets.UTF_8));
  }

  private static void assertSame(String body) {
    assertSame(body.getBytes(StandardCharsets.UTF_8), DocumentLimits.DEFAULTS);
  }

  @Test
  void sameEntriesForEveryKindOfLine() {
    assertSame("");
    assertSame("\n\n  \r\n");
    assertSame("{\"a\":1}\n{\"b\":\"x\"}");
    assertSame("\r\n\uFEFF {\"a\":1}\r\n\r\n{\"a\":2}\r{\"a\":3}\n");
    assertSame("{\"a\":1} {\"b\":2}\n{\"a\":1}  x\n[1,2]\n\"s\"\n{\"a\":}\n{\"a\":1,\"a\":2}\n");
    assertSame("{\"name\":\"Zo\u00eb\",\"emoji\":\"\uD83D\uDE00\"}\n{\"x\":1} \u00e9\n\u2003\n{\"y\":2}");
    assertSame("{\"a\":1}\n\u000B\u001F \t\n{\"deep\":[[[[1]]]]}\n");
    assertSame("[{\"a\":1},{\"b\":2}]");
    assertSame("  [{\"a\":1}, 2, {\"b\":2}] x");
    assertSame("{\"n\":123456789012345678901234567890,\"d\":1e400,\"t\":true,\"z\":null}\n");
    assertSame("{\"a\":{\"b\":{\"c\":1}}}\n".getBytes(StandardCharsets.UTF_8),
        DocumentLimits.DEFAULTS.withMaxDepth(2));
    assertSame("{\"a\":[1,2,3]}\n{\"long_field_name\":1}\n".getBytes(StandardCharsets.UTF_8),
        DocumentLimits.DEFAULTS.withMaxArrayLength(2).withMaxFieldNameLength(5));
  }

  @Test
  void invalidUtf8IsReadAsAStream() {
    byte[] body = "{\"a\":1}\n{\"b\":\"\u00e9\"}\n".getBytes(StandardCharsets.UTF_8);
    body[body.length - 4] = (byte) 0xC3; // a lead byte followed by a quote
    body[body.length - 3] = '"';
    assertSame(body, DocumentLimits.DEFAULTS);
  }

  /** Lines read leniently first (duplicates caught by the map) give the strict reading's entries. */
  @Test
  void lenientFirstReadingGivesTheStrictEntries() {
    String[] pieces = {"{\"a\":1,\"a\":2}", "{\"a\":1,\"a\" 2}", "{\"a\":{\"b\":1,\"b\":null}}",
        "{\"a\":null,\"a\":null}", "{\"a\":[1,2,3],\"a\":[[[[[1]]]]]}", "{\"x\":1,\"y\":2}",
        "{\"a\":1}", "{\"a\"", ":", ",", "}", "]", "\n", "{\"n\":1e999}", " ", "\"s\"", "{}",
        "{\"long_name_x\":1}", "{\"a\":1,\"b\":{\"a\":2}}"};
    DocumentLimits limits = DocumentLimits.DEFAULTS.withMaxDepth(3).withMaxArrayLength(2)
        .withMaxFieldNameLength(8);
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < 3000; i++) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(10);
      for (int k = 0; k < n; k++) {
        b.append(pieces[r.nextInt(pieces.length)]);
      }
      byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
      List<String> strict;
      JsonDocumentReader.strictLinesForTests = true;
      try {
        strict = read(new JsonDocumentReader(new ByteArrayInputStream(body), limits));
      } finally {
        JsonDocumentReader.strictLinesForTests = false;
      }
      assertEquals(strict, read(new JsonDocumentReader(new ByteArrayInputStream(body), limits)),
          b.toString());
      assertEquals(strict, read(JsonDocumentReader.ofBytes(body, 0, body.length, limits)),
          b.toString());
    }
  }

  /** Random bodies assembled from pieces of valid and broken lines. */
  @Test
  void sameEntriesForRandomBodies() {
    String[] pieces = {"{\"a\":1}", "{\"b\":[1,\"x\",{\"c\":null}]}", "{\"t\":\"2026-11-25T10:15:30Z\"}",
        "{\"a\":1", "}", "[", "]", "\n", "\r\n", "\r", " ", "\t", "\uFEFF", "{\"\u00e9\":\"\u00fc\"}",
        "x", "{\"a\":1,\"a\":1}", "\"s\"", "12", "{}", "{\"d\":-0.0}"};
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 3000; i++) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(12);
      for (int k = 0; k < n; k++) {
        b.append(pieces[r.nextInt(pieces.length)]);
      }
      assertSame(b.toString());
    }
  }
}
