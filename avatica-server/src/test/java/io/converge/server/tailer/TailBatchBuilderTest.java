package io.converge.server.tailer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.Mutation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** How records become mutations, without a broker: framing, ids, order, offsets. */
class TailBatchBuilderTest {
  private static ConsumerRecord<byte[], byte[]> rec(int partition, long offset, String key,
      byte[] value) {
    return new ConsumerRecord<>("t", partition, offset,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
  }

  private static ConsumerRecord<byte[], byte[]> rec(int partition, long offset, String key,
      String value) {
    return rec(partition, offset, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> ids(TailBatch b) {
    List<String> out = new ArrayList<>();
    for (Mutation m : b.mutations()) {
      out.add((m instanceof Mutation.Delete ? "-" : "+") + m.id());
    }
    return out;
  }

  @Test
  void recordsBecomeMutationsInOrderWithMalformedOnesSkipped() {
    List<ConsumerRecord<byte[], byte[]>> records = List.of(
        rec(0, 10, null, "{\"_id\": \"a\", \"city\": \"Zürich\"}"), // non-ASCII UTF-8 is fine
        rec(0, 11, "k", "  {\"n\": 1}"),                              // key as _id, leading blanks
        rec(1, 5, "a", (String) null),                                // tombstone
        rec(1, 6, null, "{\"_id\": \"p\",\r\n \"n\": 2}"),            // CRLF inside the value
        rec(0, 12, null, "{\"_id\": 7}"),                             // integer _id
        rec(0, 13, null, "{\"a\": 1, \"a\": 2}"),                     // duplicate key
        rec(0, 14, null, "\"just a string\""),
        rec(0, 15, null, "{\"x\": 1} trailing"));
    TailBatch b = new TailBatchBuilder().build(records, 0L);
    assertEquals(List.of("+a", "+k", "-a", "+p", "+7"), ids(b));
    assertEquals(Map.of(0, 16L, 1, 7L), b.nextOffsets());
    assertEquals(3, b.malformed().size(), b.malformed().toString());
    assertEquals(List.of(13L, 14L, 15L),
        b.malformed().stream().map(TailBatch.MalformedRecord::offset).toList());
    assertEquals(4, b.upserts());
    assertEquals(1, b.deletes());
    assertEquals(8, b.records());
  }

  @Test
  void eventTimeIsTheDocumentsElseTheRecordTimestamp() {
    ConsumerRecord<byte[], byte[]> stamped = new ConsumerRecord<>("t", 0, 0, 1_700_000_000_000L,
        TimestampType.CREATE_TIME, -1, -1, null,
        "{\"_id\": \"a\"}".getBytes(StandardCharsets.UTF_8), new RecordHeaders(),
        Optional.empty());
    ConsumerRecord<byte[], byte[]> own = new ConsumerRecord<>("t", 0, 1, 1_700_000_000_000L,
        TimestampType.CREATE_TIME, -1, -1, null,
        "{\"_id\": \"b\", \"_event_time\": 5}".getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(), Optional.empty());
    TailBatch b = new TailBatchBuilder().build(List.of(stamped, own, rec(0, 2, "c", "{}")), 42L);
    List<Long> times = b.mutations().stream()
        .map(m -> ((Mutation.Upsert) m).document().eventTimeMillis()).toList();
    assertEquals(List.of(1_700_000_000_000L, 5L, 42L), times);
  }

  @Test
  void slicesParsedOnSeveralThreadsKeepTheRecordsOrder() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      String id = "d" + i;
      if (i % 997 == 0) {
        records.add(rec(i % 3, i, null, "{broken"));
      } else if (i % 10 == 3) {
        records.add(rec(i % 3, i, "d" + (i - 1), (String) null));
        expected.add("-d" + (i - 1));
      } else {
        records.add(rec(i % 3, i, null, "{\"_id\": \"" + id + "\", \"i\": " + i + "}"));
        expected.add("+" + id);
      }
    }
    try (ParallelBatchBuilder builder = new ParallelBatchBuilder("test")) {
      TailBatch b = builder.build(records);
      assertEquals(expected, ids(b));
      assertEquals(6, b.malformed().size());
      // next offset = last offset read + 1: 4998, 4999 and 4997 were the last of partitions 0, 1, 2
      assertEquals(Map.of(0, 4999L, 1, 5000L, 2, 4998L), b.nextOffsets());
    }
  }

  @Test
  void tailSpecParsing() {
    assertEquals(new TailSpec("orders", "o:rders"), TailSpec.parse("orders:o:rders"));
    assertThrows(IllegalArgumentException.class, () -> TailSpec.parse("orders"));
    assertThrows(IllegalArgumentException.class, () -> TailSpec.parse(":c"));
    assertThrows(IllegalArgumentException.class, () -> TailSpec.parse("bad topic:c"));
    assertTrue(TailSpec.parse("a.b_c-1:x").topic().equals("a.b_c-1"));
  }

  private static ConsumerRecord<byte[], byte[]> encoded(long offset, long timestamp,
      byte[] value) {
    RecordHeaders headers = new RecordHeaders(RecordValues.ENCODED_HEADERS);
    return new ConsumerRecord<>("t", 0, offset, timestamp, TimestampType.CREATE_TIME, -1, -1,
        null, value, headers, Optional.empty());
  }

  @Test
  void anEncodedValueIsTheDocumentItsJsonWouldBe() throws Exception {
    String json = "{\"_id\": \"a\", \"n\": 12, \"x\": 1.5, \"ok\": true, \"none\": null, "
        + "\"city\": \"Zürich\", \"tags\": [\"p\", 2, [3]], \"o\": {\"b\": {\"c\": -7}}, "
        + "\"_event_time\": \"2026-12-08T10:15:30Z\"}";
    Map<String, Object> parsed;
    try (io.converge.storage.json.JsonDocumentReader r = io.converge.storage.json
        .JsonDocumentReader.ofBytes(json.getBytes(StandardCharsets.UTF_8), 0,
            json.getBytes(StandardCharsets.UTF_8).length,
            io.converge.storage.json.DocumentLimits.DEFAULTS)) {
      parsed = r.next().document();
    }
    assertEquals(parsed, RecordValues.decode(RecordValues.encode(parsed)));
    ConsumerRecord<byte[], byte[]> asJson = new ConsumerRecord<>("t", 0, 0, 99L,
        TimestampType.CREATE_TIME, -1, -1, null, json.getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(), Optional.empty());
    TailBatch b = new TailBatchBuilder().build(
        List.of(asJson, encoded(1, 99L, RecordValues.encode(parsed))), 0L);
    assertEquals(List.of("+a", "+a"), ids(b));
    var fromJson = ((Mutation.Upsert) b.mutations().get(0)).document();
    var fromBinary = ((Mutation.Upsert) b.mutations().get(1)).document();
    assertTrue(java.util.Arrays.equals(fromJson.row(), fromBinary.row()), "the same stored row");
    assertEquals(fromJson.paths(), fromBinary.paths());
    assertEquals(fromJson.values(), fromBinary.values());
    assertEquals(fromJson.objectPaths(), fromBinary.objectPaths());
    assertEquals(fromJson.eventTimeMillis(), fromBinary.eventTimeMillis());
  }

  @Test
  void aCorruptEncodedValueIsSkippedWithItsReasonAndTheOffsetMovesOn() {
    byte[] good = RecordValues.encode(Map.of("_id", "g"));
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
    byte[] notAnObject = io.converge.storage.encoding.DocumentCodec.encode(List.of(1L));
    TailBatch b = new TailBatchBuilder().build(List.of(encoded(0, 1L, truncated),
        encoded(1, 1L, longer), encoded(2, 1L, notAnObject),
        encoded(3, 1L, "{\"_id\": \"j\"}".getBytes(StandardCharsets.UTF_8)),
        encoded(4, 1L, good)), 0L);
    assertEquals(List.of("+g"), ids(b));
    assertEquals(Map.of(0, 5L), b.nextOffsets());
    List<String> reasons = b.malformed().stream().map(TailBatch.MalformedRecord::reason)
        .toList();
    assertEquals(4, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).startsWith("encoded document is corrupt"), reasons.get(0));
    assertEquals("encoded document is followed by 1 more bytes", reasons.get(1));
    assertEquals("encoded value is not a document (an object)", reasons.get(2));
    assertTrue(reasons.get(3).startsWith("encoded document is corrupt"), reasons.get(3));
  }
}
