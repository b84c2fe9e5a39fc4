package io.converge.server.tailer;

import io.converge.server.tailer.TailBatch.MalformedRecord;
import io.converge.storage.Mutation;
import io.converge.storage.json.DocumentLimits;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.InvalidDocumentException;
import io.converge.storage.json.JsonDocumentReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns the records of one poll into a {@link TailBatch}, with the same JSON rules as
 * {@code converge load} ({@link JsonDocumentReader}, {@link DocumentPreparer}).
 *
 * <ul>
 *   <li>value = a JSON object, or the binary form of one ({@link RecordValues}); its
 *       {@code _id}, else the record key (UTF-8), else a generated id; its {@code _event_time},
 *       else the record's timestamp;
 *   <li>null value (tombstone) = delete by key;
 *   <li>anything else is a {@link MalformedRecord}: skipped, but its offset still advances.
 * </ul>
 *
 * <p>Values are parsed as one NDJSON text per poll (one record per line) because a reader per
 * record would allocate its buffers tens of thousands of times a second. Records that would break
 * that framing (a line break inside the value, a value not starting with '{', invalid UTF-8) are
 * checked or parsed on their own first. Not thread-safe; one per tailer.
 */
public final class TailBatchBuilder {
  private final DocumentPreparer preparer = new DocumentPreparer();
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final Ndjson ndjson = new Ndjson();

  /** The poll's values, one per line; read in place (no copy of the buffer). */
  private static final class Ndjson extends ByteArrayOutputStream {
    Ndjson() {
      super(1 << 20);
    }

    byte[] buffer() {
      return buf;
    }
  }

  public TailBatch build(List<ConsumerRecord<byte[], byte[]>> records, long nowMillis) {
    int n = records.size();
    Mutation[] mutations = new Mutation[n];
    String[] problems = new String[n];
    Map<Integer, Long> next = new HashMap<>();
    // line number in the NDJSON text (1-based) -> record index
    int[] lineToRecord = new int[n + 1];
    int lines = 0;
    ndjson.reset();
    for (int i = 0; i < n; i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      next.merge(r.partition(), r.offset() + 1, Math::max);
      byte[] v = r.value();
      if (v == null) {
        String key = keyOf(r);
        if (key == null) {
          problems[i] = "tombstone (null value) without a key";
        } else {
          mutations[i] = Mutation.delete(key);
        }
        continue;
      }
      if (RecordValues.encoded(r.headers())) {
        decode(r, v, nowMillis, mutations, problems, i);
        continue;
      }
      int first = firstNonBlank(v);
      int shape;
      if (first < 0) {
        problems[i] = "empty value";
      } else if (v[first] != '{') {
        problems[i] = "value is not a JSON object (starts with '" + printable(v[first]) + "')";
      } else if ((shape = shapeOf(v)) == LINE_BREAK) {
        parseAlone(r, v, nowMillis, mutations, problems, i);
      } else if (shape == NON_ASCII && !validUtf8(v)) {
        problems[i] = "invalid UTF-8";
      } else {
        ndjson.write(v, 0, v.length);
        ndjson.write('\n');
        lineToRecord[++lines] = i;
      }
    }
    if (lines > 0) {
      parseLines(records, lineToRecord, nowMillis, mutations, problems);
    }
    List<Mutation> out = new ArrayList<>(n);
    List<MalformedRecord> malformed = new ArrayList<>();
    int upserts = 0;
    int deletes = 0;
    for (int i = 0; i < n; i++) {
      if (mutations[i] != null) {
        out.add(mutations[i]);
        if (mutations[i] instanceof Mutation.Upsert) {
          upserts++;
        } else {
          deletes++;
        }
      } else {
        ConsumerRecord<byte[], byte[]> r = records.get(i);
        malformed.add(new MalformedRecord(r.topic(), r.partition(), r.offset(),
            problems[i] == null ? "not parsed" : problems[i]));
      }
    }
    return new TailBatch(out, next, malformed.isEmpty() ? List.of() : malformed, n, upserts,
        deletes);
  }

  private void parseLines(List<ConsumerRecord<byte[], byte[]>> records, int[] lineToRecord,
      long nowMillis, Mutation[] mutations, String[] problems) {
    try (JsonDocumentReader reader = JsonDocumentReader.ofBytes(ndjson.buffer(), 0,
        ndjson.size(), DocumentLimits.DEFAULTS)) {
      JsonDocumentReader.Entry e;
      while ((e = reader.next()) != null) {
        int i = lineToRecord[(int) e.line()];
        accept(records.get(i), e, nowMillis, mutations, problems, i);
      }
    } catch (IOException e) {
      // Every line was checked to be UTF-8 and to start an object, so NDJSON framing holds.
      throw new UncheckedIOException("NDJSON framing of a poll broke: " + e.getMessage(), e);
    }
  }

  /** A value spanning lines (pretty-printed JSON): read as the only element of a JSON array. */
  private void parseAlone(ConsumerRecord<byte[], byte[]> r, byte[] v, long nowMillis,
      Mutation[] mutations, String[] problems, int i) {
    InputStream in = new SequenceInputStream(Collections.enumeration(List.of(
        new ByteArrayInputStream(new byte[] {'['}), new ByteArrayInputStream(v),
        new ByteArrayInputStream(new byte[] {']'}))));
    try (JsonDocumentReader reader = new JsonDocumentReader(in)) {
      JsonDocumentReader.Entry e = reader.next();
      if (e == null) {
        problems[i] = "empty value";
      } else if (reader.next() != null) {
        problems[i] = "value holds more than one JSON value";
      } else {
        accept(r, e, nowMillis, mutations, problems, i);
      }
    } catch (JsonDocumentReader.MalformedJsonException m) {
      problems[i] = m.getMessage();
    } catch (IOException ex) {
      problems[i] = "unreadable value: " + ex.getMessage();
    }
  }

  /** A value in Converge's binary form ({@link RecordValues}): decoded, no JSON to parse. */
  private void decode(ConsumerRecord<byte[], byte[]> r, byte[] v, long nowMillis,
      Mutation[] mutations, String[] problems, int i) {
    Map<String, Object> document;
    try {
      document = RecordValues.decode(v);
    } catch (IllegalArgumentException e) {
      problems[i] = e.getMessage();
      return;
    }
    upsert(r, document, nowMillis, mutations, problems, i);
  }

  private void accept(ConsumerRecord<byte[], byte[]> r, JsonDocumentReader.Entry e, long nowMillis,
      Mutation[] mutations, String[] problems, int i) {
    if (!e.ok()) {
      problems[i] = e.error();
      return;
    }
    upsert(r, e.document(), nowMillis, mutations, problems, i);
  }

  private void upsert(ConsumerRecord<byte[], byte[]> r, Map<String, Object> document,
      long nowMillis, Mutation[] mutations, String[] problems, int i) {
    try {
      // Without an _event_time the record's own timestamp is the event time (the same on a replay).
      long eventTime = r.timestamp() >= 0 ? r.timestamp() : nowMillis;
      mutations[i] = Mutation.upsert(preparer.prepare(document, eventTime, keyOf(r)));
    } catch (InvalidDocumentException ex) {
      problems[i] = ex.getMessage();
    }
  }

  /** The record key as text, or null when absent or empty. */
  static String keyOf(ConsumerRecord<byte[], byte[]> r) {
    byte[] k = r.key();
    return k == null || k.length == 0 ? null : new String(k, StandardCharsets.UTF_8);
  }

  private static int firstNonBlank(byte[] v) {
    for (int i = 0; i < v.length; i++) {
      byte b = v[i];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return i;
      }
    }
    return -1;
  }

  private static final int ASCII_LINE = 0;
  private static final int NON_ASCII = 1;
  private static final int LINE_BREAK = 2;

  /** In one pass: a line break anywhere ({@link #LINE_BREAK}), else whether a byte is not ASCII. */
  private static int shapeOf(byte[] v) {
    int shape = ASCII_LINE;
    for (byte b : v) {
      if (b == '\n' || b == '\r') {
        return LINE_BREAK;
      }
      if (b < 0) {
        shape = NON_ASCII;
      }
    }
    return shape;
  }

  /** Checked by a strict decoder. */
  private boolean validUtf8(byte[] v) {
    try {
      utf8.reset().decode(ByteBuffer.wrap(v));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static String printable(byte b) {
    return b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xFF);
  }
}
