package io.converge.storage.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each limit rejects the one document that crosses it, says where, and the rest is read. */
class DocumentLimitsTest {
  private static List<JsonDocumentReader.Entry> read(String s, DocumentLimits limits)
      throws IOException {
    return JsonDocumentReader.readAll(
        new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), limits);
  }

  static String nested(int levels) {
    return "{\"a\":".repeat(levels - 1) + "{\"leaf\":1}" + "}".repeat(levels - 1);
  }

  @Test
  void theDefaultDepthAcceptsSixtyFourLevelsAndRejectsSixtyFive() throws IOException {
    List<JsonDocumentReader.Entry> e = read(nested(64) + "\n" + nested(65) + "\n{\"ok\":1}\n",
        DocumentLimits.DEFAULTS);
    assertTrue(e.get(0).ok(), e.get(0).error());
    assertEquals(2, e.get(1).line());
    assertTrue(e.get(1).error().startsWith("document exceeds nesting depth 64 at a.a.a"),
        e.get(1).error());
    assertTrue(e.get(2).ok());
  }

  @Test
  void aTooDeepElementOfAJsonArrayIsRejectedAloneAndTheNextElementsAreRead() throws IOException {
    DocumentLimits limits = DocumentLimits.DEFAULTS.withMaxDepth(3);
    List<JsonDocumentReader.Entry> e = read("[{\"x\":1}, {\"a\":{\"b\":[[1, {\"c\":2}]]}, \"z\":[1]},"
        + " {\"y\":2}]", limits);
    assertEquals(3, e.size());
    assertTrue(e.get(0).ok());
    assertEquals("document exceeds nesting depth 3 at a.b[0]", e.get(1).error());
    assertEquals(2, e.get(1).line());
    assertEquals(Map.of("y", 2L), e.get(2).document());
  }

  @Test
  void nestingBeyondTheParsersLimitRejectsAnNdjsonLineAloneButStopsAJsonArray()
      throws IOException {
    int levels = DocumentLimits.PARSER_DEPTH_LIMIT + 10;
    String deep = "[".repeat(levels) + "]".repeat(levels);
    List<JsonDocumentReader.Entry> e = read("{\"d\":" + deep + "}\n{\"ok\":1}\n",
        DocumentLimits.DEFAULTS);
    assertTrue(e.get(0).error().startsWith("document exceeds nesting depth 64 at d[0][0]"),
        e.get(0).error());
    assertTrue(e.get(1).ok());
    JsonDocumentReader.MalformedJsonException m = assertThrows(
        JsonDocumentReader.MalformedJsonException.class,
        () -> read("[{\"ok\":1}, {\"d\":" + deep + "}]", DocumentLimits.DEFAULTS));
    assertTrue(m.getMessage().contains("deeper than 1000 levels"), m.getMessage());
  }

  @Test
  void aLongArrayIsRejectedWithItsPath() throws IOException {
    DocumentLimits limits = DocumentLimits.DEFAULTS.withMaxArrayLength(3);
    List<JsonDocumentReader.Entry> e = read("[{\"t\":[1,2,3]}, {\"o\":{\"t\":[1,2,3,4]}},"
        + " {\"n\":[[1,2,3,4,5]]}, {\"last\":true}]", limits);
    assertTrue(e.get(0).ok());
    assertEquals("array at o.t has more than 3 elements (the limit)", e.get(1).error());
    assertEquals("array at n[0] has more than 3 elements (the limit)", e.get(2).error());
    assertTrue(e.get(3).ok());
  }

  @Test
  void aLongFieldNameIsRejected() throws IOException {
    DocumentLimits limits = DocumentLimits.DEFAULTS.withMaxFieldNameLength(5);
    List<JsonDocumentReader.Entry> e = read("{\"short\":1}\n{\"o\":{\"longer\":1}}\n", limits);
    assertTrue(e.get(0).ok());
    assertEquals("field name of 6 characters exceeds the limit of 5 at o.longer",
        e.get(1).error());
  }

  @Test
  void aNumberBeyondTheDoubleRangeRejectsOnlyItsElement() throws IOException {
    List<JsonDocumentReader.Entry> e = read("[{\"a\":1}, {\"b\":[2, 1e400, 3]}, {\"c\":3}]",
        DocumentLimits.DEFAULTS);
    assertEquals(3, e.size());
    assertEquals("number 1e400 is beyond the double range at b[1]", e.get(1).error());
    assertEquals(Map.of("c", 3L), e.get(2).document());
  }

  @Test
  void aNumberOfMoreThanAThousandCharactersIsMalformed() throws IOException {
    List<JsonDocumentReader.Entry> e = read("{\"n\":" + "9".repeat(1001) + "}\n{\"ok\":1}\n",
        DocumentLimits.DEFAULTS);
    assertTrue(e.get(0).error().contains("more than 1000 characters"), e.get(0).error());
    assertTrue(e.get(1).ok());
  }

  @Test
  void theDocumentSizeLimitIsThePreparers() throws Exception {
    DocumentPreparer p = new DocumentPreparer(DocumentLimits.DEFAULTS.withMaxDocumentBytes(100));
    p.prepare(Map.of("_id", "small", "s", "x".repeat(10)), 0);
    InvalidDocumentException e = assertThrows(InvalidDocumentException.class,
        () -> p.prepare(Map.of("_id", "big", "s", "x".repeat(200)), 0));
    assertTrue(e.getMessage().startsWith("document big is "), e.getMessage());
    assertTrue(e.getMessage().endsWith("over the document size limit of 100 bytes"),
        e.getMessage());
  }

  @Test
  void limitsOutOfRangeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> DocumentLimits.DEFAULTS.withMaxDepth(0));
    assertThrows(IllegalArgumentException.class,
        () -> DocumentLimits.DEFAULTS.withMaxDepth(DocumentLimits.PARSER_DEPTH_LIMIT + 1));
    assertThrows(IllegalArgumentException.class,
        () -> DocumentLimits.DEFAULTS.withMaxDocumentBytes(0));
    assertThrows(IllegalArgumentException.class,
        () -> DocumentLimits.DEFAULTS.withMaxArrayLength(0));
    assertThrows(IllegalArgumentException.class,
        () -> DocumentLimits.DEFAULTS.withMaxFieldNameLength(0));
  }
}
