package io.converge.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonProblemTest {
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static JsonProblem whole(String s, int outerDepth) {
    byte[] b = utf8(s);
    return JsonProblem.firstProblem(b, 0, b.length, outerDepth);
  }

  @Test
  void readableValuesHaveNoProblem() {
    assertNull(whole("{\"a\": [1, 2.5, \"x\", null, {\"b\": true}]}", 0));
    assertNull(whole("42", 0));
    assertNull(whole("[{\"a\": 1}, 5]", 1));
  }

  @Test
  void positionsAreBytesOfTheBody() {
    // "é" is two bytes: the byte offset counts both, the column counts bytes too.
    JsonProblem p = whole("{\"é\": 1,\n \"b\": x}", 0);
    assertEquals(2, p.line());
    assertEquals(7, p.column());
    assertEquals(16, p.byteOffset());
  }

  @Test
  void theReadersRulesAreProblems() {
    assertEquals("Duplicate field 'a'", whole("{\"a\": 1, \"a\": 2}", 0).reason());
    assertEquals("unexpected content after the JSON value", whole("{} {}", 0).reason());
  }

  @Test
  void documentsBeyondTheLimitsAreReadableTheirRejectionIsTheReaders() {
    assertNull(whole("{\"a\": 1e999}", 0), "a number beyond the double range is readable");
    String deep = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
    assertNull(whole(deep, 0));
    assertNull(whole("[" + deep + "]", 1), "the array around documents is not their nesting");
  }

  @Test
  void nestingBeyondTheParsersLimitStopsOnlyAJsonArray() {
    int levels = JsonProblem.MAX_DOCUMENT_DEPTH + 1;
    String deeper = "{\"a\":".repeat(levels) + "1" + "}".repeat(levels);
    assertNull(whole(deeper, 0), "an NDJSON line: rejected alone by the reader");
    assertEquals("a document nests deeper than 1000 levels (the parser's limit)",
        whole("[" + deeper + "]", 1).reason());
  }

  @Test
  void firstInvalidUtf8Byte() {
    byte[] b = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0xA9, (byte) 0xFF, '"', '}'};
    JsonProblem p = JsonProblem.invalidUtf8(b);
    assertEquals(8, p.byteOffset());
    assertNull(JsonProblem.invalidUtf8(utf8("{\"é\": \"€\"}")));
  }

  @Test
  void ndjsonLinesAreNumberedAsTheReaderDoes() {
    byte[] b = utf8("\n\n {\"a\":1}\r\n\r\n{\"b\":2}\n");
    assertEquals('{', NdjsonLines.firstNonBlank(b));
    assertArrayEquals(new int[] {3, 10}, NdjsonLines.bounds(b, 3));
    assertArrayEquals(new int[] {14, 21}, NdjsonLines.bounds(b, 5));
    assertNull(NdjsonLines.bounds(b, 6));
    assertEquals(-1, NdjsonLines.firstNonBlank(utf8(" \n\t")));
  }
}
