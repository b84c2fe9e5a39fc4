package io.converge.cluster.tailer;

import io.converge.server.tailer.TailBatch;
import io.converge.server.tailer.TailBatchBuilder;
import io.converge.storage.Mutation;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.JsonDocumentReader;
import io.converge.storage.json.JsonText;
import io.converge.storage.json.PreparedDocument;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns the records of one poll of an external topic into records of a collection's data topic,
 * with the one-process tailer's rules ({@link TailBatchBuilder}): key = the document's
 * {@code _id}, value = the document with its {@code _id} and {@code _event_time} written in (so
 * the leaf stores what a one-process tailer would), null value = delete. Not thread-safe.
 */
final class TailDocuments {
  /** One record for the data topic: key {@code id}, value JSON or null (delete). */
  record DataRecord(String id, byte[] value, long timestampMillis) {}

  /** What a poll becomes. */
  record Result(List<DataRecord> records, TailBatch batch) {}

  private final TailBatchBuilder builder = new TailBatchBuilder();

  Result convert(List<ConsumerRecord<byte[], byte[]>> records, long nowMillis) {
    TailBatch batch = builder.build(records, nowMillis);
    Set<Long> malformed = new HashSet<>();
    for (TailBatch.MalformedRecord m : batch.malformed()) {
      malformed.add(position(m.partition(), m.offset()));
    }
    // the builder keeps the valid records' mutations in record order
    List<DataRecord> out = new ArrayList<>(batch.mutations().size());
    int next = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (malformed.contains(position(r.partition(), r.offset()))) {
        continue;
      }
      Mutation m = batch.mutations().get(next++);
      if (m instanceof Mutation.Upsert u) {
        PreparedDocument d = u.document();
        out.add(new DataRecord(d.id(), value(r.value(), d), d.eventTimeMillis()));
      } else {
        out.add(new DataRecord(((Mutation.Delete) m).id(), null,
            r.timestamp() >= 0 ? r.timestamp() : nowMillis));
      }
    }
    return new Result(out, batch);
  }

  private static long position(int partition, long offset) {
    // offsets stay far below 2^47 and partitions below 2^16
    return ((long) partition << 47) ^ offset;
  }

  /** The document with its {@code _id} and {@code _event_time}; re-read (it parsed once already). */
  private static byte[] value(byte[] raw, PreparedDocument d) {
    Map<String, Object> doc = read(raw);
    if (doc.containsKey(DocumentPreparer.ID) && doc.containsKey(DocumentPreparer.EVENT_TIME)) {
      return raw;
    }
    Map<String, Object> full = new LinkedHashMap<>(doc.size() + 2);
    full.put(DocumentPreparer.ID, d.id());
    full.put(DocumentPreparer.EVENT_TIME, d.eventTimeMillis());
    full.putAll(doc);
    return JsonText.write(full).getBytes(StandardCharsets.UTF_8);
  }

  /** A value the builder accepted, read as the only element of a JSON array (line breaks allowed). */
  private static Map<String, Object> read(byte[] raw) {
    InputStream in = new SequenceInputStream(Collections.enumeration(List.of(
        new ByteArrayInputStream(new byte[] {'['}), new ByteArrayInputStream(raw),
        new ByteArrayInputStream(new byte[] {']'}))));
    try (JsonDocumentReader reader = new JsonDocumentReader(in)) {
      JsonDocumentReader.Entry e = reader.next();
      if (e == null || !e.ok()) {
        throw new IllegalStateException("a record the tailer accepted does not read again: "
            + (e == null ? "empty" : e.error()));
      }
      return e.document();
    } catch (IOException e) {
      throw new IllegalStateException("a record the tailer accepted does not read again: "
          + e.getMessage(), e);
    }
  }
}
