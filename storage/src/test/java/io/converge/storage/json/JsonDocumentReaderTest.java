package io.converge.storage.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonDocumentReaderTest {
  private static List<JsonDocumentReader.Entry> read(String s) throws IOException {
    return JsonDocumentReader.readAll(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void ndjsonMalformedLineIsReportedWithItsLineAndTheRestIsRead() throws IOException {
    List<JsonDocumentReader.Entry> e = read("{\"a\":1}\n{\"a\":\n\n{\"a\":3}\n[1,2]\n");
    assertEquals(4, e.size());
    assertTrue(e.get(0).ok());
    assertEquals(2, e.get(1).line());
    assertTrue(e.get(1).error() != null);
    assertEquals(4, e.get(2).line());
    assertEquals(3L, e.get(2).document().get("a"));
    assertEquals(5, e.get(3).line());
    assertTrue(e.get(3).error().contains("not a JSON object"), e.get(3).error());
  }

  @Test
  void jsonArrayYieldsEachObjectAndRejectsNonObjects() throws IOException {
    List<JsonDocumentReader.Entry> e = read("  [ {\"a\": 1}, 5, {\"b\": [1, {\"c\": null}]} ]  ");
    assertEquals(3, e.size());
    assertTrue(e.get(0).ok());
    assertTrue(e.get(1).error().contains("element 2"));
    assertEquals(List.of(1L, Map.of()), List.of(((List<?>) e.get(2).document().get("b")).get(0), Map.of()));
  }

  @Test
  void brokenJsonArrayFailsWithPosition() {
    JsonDocumentReader.MalformedJsonException ex = assertThrows(
        JsonDocumentReader.MalformedJsonException.class, () -> read("[{\"a\":1},\n{\"a\": }]"));
    assertEquals(2, ex.line);
    assertTrue(ex.getMessage().contains("line 2"), ex.getMessage());
  }

  @Test
  void unclosedArrayFails() {
    assertThrows(JsonDocumentReader.MalformedJsonException.class, () -> read("[{\"a\":1}"));
  }

  @Test
  void duplicateKeysAreRejected() throws IOException {
    List<JsonDocumentReader.Entry> e = read("{\"a\":1,\"a\":2}\n");
    assertTrue(e.get(0).error().toLowerCase().contains("duplicate"), e.get(0).error());
  }

  @Test
  void numbersBeyondInt64BecomeDoublesAndBeyondDoubleAreRejected() throws IOException {
    List<JsonDocumentReader.Entry> e = read("{\"a\":123456789012345678901234567890}\n{\"a\":1e400}\n");
    assertEquals(1.2345678901234568E29, e.get(0).document().get("a"));
    assertTrue(e.get(1).error().contains("beyond the double range"), e.get(1).error());
  }

  @Test
  void invalidUtf8IsReported() {
    byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
    assertThrows(IOException.class,
        () -> JsonDocumentReader.readAll(new ByteArrayInputStream(bad)));
  }

  @Test
  void tooDeepNestingIsRejected() throws IOException {
    String deep = "{\"a\":".repeat(100) + "1" + "}".repeat(100) + "\n{\"ok\":true}\n";
    List<JsonDocumentReader.Entry> e = read(deep);
    assertTrue(e.get(0).error() != null);
    assertTrue(e.get(1).ok());
  }

  @Test
  void emptyInputHasNoEntries() throws IOException {
    assertEquals(0, read("").size());
    assertEquals(0, read("\n  \n").size());
  }

  @Test
  void preparerDerivesIdAndEventTime() throws Exception {
    DocumentPreparer p = new DocumentPreparer();
    PreparedDocument d = p.prepare(Map.of("_id", 7L, "_event_time", "2026-01-02T03:04:05Z",
        "when", "2026-01-02 03:04:05.5", "customer", Map.of("country", "DE")), 99L);
    assertEquals("7", d.id());
    assertEquals(Instant.parse("2026-01-02T03:04:05Z").toEpochMilli(), d.eventTimeMillis());
    int i = d.paths().indexOf("when");
    assertEquals(Instant.parse("2026-01-02T03:04:05.500Z"), d.values().get(i));
    assertEquals("DE", d.values().get(d.paths().indexOf("customer.country")));
    assertEquals(List.of("customer"), d.objectPaths());
    assertEquals(99L, p.prepare(Map.of("x", 1L), 99L).eventTimeMillis());
    assertNull(Timestamps.parse("2026-13-45T99:99:99Z"));
  }

  @Test
  void preparerRejectsBadSystemFields() {
    DocumentPreparer p = new DocumentPreparer();
    assertThrows(InvalidDocumentException.class, () -> p.prepare(Map.of("_id", true), 0));
    assertThrows(InvalidDocumentException.class, () -> p.prepare(Map.of("_id", Map.of()), 0));
    assertThrows(InvalidDocumentException.class, () -> p.prepare(Map.of("_event_time", "yesterday"), 0));
    assertThrows(InvalidDocumentException.class,
        () -> new DocumentPreparer(100).prepare(Map.of("big", "x".repeat(200)), 0));
  }
}
