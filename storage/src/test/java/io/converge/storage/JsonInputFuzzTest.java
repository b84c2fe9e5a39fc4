package io.converge.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.storage.check.ConsistencyChecker;
import io.converge.storage.json.DocumentLimits;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.InvalidDocumentException;
import io.converge.storage.json.JsonDocumentReader;
import io.converge.storage.json.PreparedDocument;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzz of the JSON input path (reader, limits, preparer) and of storing what it accepts:
 * random NDJSON and JSON array inputs of random documents (odd field names: empty, dots, unicode,
 * control characters, very long; extreme numbers; long strings and arrays; deep nesting) with
 * some lines or elements damaged (truncated, a byte garbled, invalid UTF-8, duplicate keys, huge
 * numbers, NaN, nesting past the limit).
 *
 * <p>Properties: the reader never fails with anything but {@code MalformedJsonException}; every
 * undamaged document reads back equal; each rejection has a one-line reason; a whole-input
 * failure happens only for damage that breaks the JSON text; everything accepted is stored, and
 * the store's count and {@link ConsistencyChecker} agree at the end.
 *
 * <p>CI: {@value #CI_TRIES} inputs with seed {@value #DEFAULT_SEED}. More:
 * {@code -Dconverge.fuzz.tries=N}, {@code -Dconverge.fuzz.seed=S}, or {@code -Dconverge.soak=true}
 * (10x).
 */
class JsonInputFuzzTest {
  static final long DEFAULT_SEED = 6_2026_11_25L;
  static final int CI_TRIES = 300;
  static final long SEED = Long.getLong("converge.fuzz.seed", DEFAULT_SEED);
  static final int TRIES = Integer.getInteger("converge.fuzz.tries",
      Boolean.getBoolean("converge.soak") ? CI_TRIES * 10 : CI_TRIES);
  static final DocumentLimits LIMITS = new DocumentLimits(20_000, 8, 40, 64);
  static final ObjectMapper JSON = new ObjectMapper();

  static final String[] NAMES = {"a", "b", "status", "", ".", "a.b", "x..y", ".lead", "trail.",
      "ü", "日本", "emoji\uD83D\uDE00", "tab\there", "nul\u0000", "ctl\u001f", "q\"uote",
      "back\\slash", "UPPER", "upper", "sp ace", "n1", "_hidden", "$dollar"};
  static final String TEXT = "abcXYZ 019.-_/\\\"'\t\n\u0000\u001féü日本\u2028";

  /** What the generator made, and what the reader must say about it. */
  enum Fate { OK, REJECTED, MALFORMED }

  record Item(byte[] bytes, Map<String, Object> doc, Fate fate) {}

  @Test
  void randomAndDamagedInputsNeverBreakTheReaderOrTheStore(@TempDir Path dir) throws Exception {
    System.out.println("JsonInputFuzzTest: seed " + SEED + ", " + TRIES + " inputs"
        + " (-Dconverge.fuzz.seed=" + SEED + " -Dconverge.fuzz.tries=N)");
    Random r = new Random(SEED);
    DocumentPreparer preparer = new DocumentPreparer(LIMITS);
    long accepted = 0;
    long rejected = 0;
    long malformedInputs = 0;
    long tooBig = 0;
    try (ConvergeStore store = ConvergeStore.open(dir.resolve("data"))) {
      ConvergeCollection c = store.getOrCreate("fuzz");
      for (int t = 0; t < TRIES; t++) {
        boolean array = r.nextBoolean();
        List<Item> items = new ArrayList<>();
        for (int i = 1 + r.nextInt(6); i > 0; i--) {
          items.add(item(r, "t" + t + "-" + items.size(), array));
        }
        byte[] input = frame(items, array);
        String label = "input " + t + " (seed " + SEED + "): " + preview(input);
        // Arrays hold only readable elements here; an NDJSON input fails whole on invalid UTF-8.
        boolean wholeFailureExpected = !array && !validUtf8(input);
        List<JsonDocumentReader.Entry> entries;
        try {
          entries = JsonDocumentReader.readAll(new ByteArrayInputStream(input), LIMITS);
        } catch (JsonDocumentReader.MalformedJsonException e) {
          assertTrue(wholeFailureExpected, label + " failed as a whole: " + e.getMessage());
          assertOneLine(e.getMessage(), label);
          malformedInputs++;
          continue;
        }
        assertFalse(wholeFailureExpected, label + " was read although it is not UTF-8");
        assertEquals(items.size(), entries.size(), label);
        List<PreparedDocument> batch = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
          Item it = items.get(i);
          JsonDocumentReader.Entry e = entries.get(i);
          assertEquals(i + 1, e.line(), label);
          if (it.fate == Fate.OK) {
            assertTrue(e.ok(), label + ": document " + (i + 1) + " rejected: " + e.error());
            assertEquals(it.doc, e.document(), label);
          } else if (it.fate == Fate.REJECTED || it.fate == Fate.MALFORMED) {
            assertFalse(e.ok(), label + ": document " + (i + 1) + " was accepted");
          }
          if (!e.ok()) {
            assertOneLine(e.error(), label);
            rejected++;
            continue;
          }
          try {
            batch.add(preparer.prepare(e.document(), 0));
          } catch (InvalidDocumentException x) {
            assertOneLine(x.getMessage(), label);
            tooBig++;
          }
        }
        if (!batch.isEmpty()) {
          c.upsert(batch);
          accepted += batch.size();
        }
      }
      store.awaitSealed();
      ConsistencyChecker.Report report = new ConsistencyChecker(c).check();
      assertTrue(report.ok(), report.problems().toString());
      assertEquals(accepted, c.documentCount());
    }
    System.out.printf("JsonInputFuzzTest: %d documents stored, %d rejected by the reader, %d by"
        + " the preparer (size), %d inputs malformed as a whole; store consistent%n", accepted,
        rejected, tooBig, malformedInputs);
    assertTrue(accepted > 0 && rejected > 0 && malformedInputs > 0, "the generator lost variety");
  }

  static void assertOneLine(String message, String label) {
    assertNotNull(message, label);
    assertFalse(message.isBlank(), label);
    assertFalse(message.contains("\n\tat "), label + ": " + message);
    assertTrue(message.length() < 2_000, label + ": " + message.length() + " characters");
  }

  static byte[] frame(List<Item> items, boolean array) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (array) {
      out.write('[');
    }
    for (int i = 0; i < items.size(); i++) {
      if (array && i > 0) {
        out.write(',');
      }
      out.writeBytes(items.get(i).bytes);
      out.write('\n');
    }
    if (array) {
      out.write(']');
    }
    return out.toByteArray();
  }

  /** One document, maybe damaged; in an array only damage that leaves the framing intact. */
  static Item item(Random r, String id, boolean array) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("_id", id);
    doc.putAll(object(r, 1, 4));
    byte[] bytes = JSON.writeValueAsBytes(doc);
    int kind = r.nextInt(20);
    switch (kind) {
      case 0 -> { // nested past the depth limit
        String deep = "{\"d\":".repeat(LIMITS.maxDepth()) + "1" + "}".repeat(LIMITS.maxDepth());
        return new Item(utf8("{\"_id\":\"" + id + "\",\"deep\":" + deep + "}"), null,
            Fate.REJECTED);
      }
      case 1 -> { // an array past the length limit
        return new Item(utf8("{\"_id\":\"" + id + "\",\"arr\":[" + "1,".repeat(LIMITS.maxArrayLength())
            + "1]}"), null, Fate.REJECTED);
      }
      case 2 -> { // a field name past its limit
        return new Item(utf8("{\"" + "k".repeat(LIMITS.maxFieldNameLength() + 1 + r.nextInt(50))
            + "\":1}"), null, Fate.REJECTED);
      }
      case 3 -> { // numbers beyond the double range
        return new Item(utf8("{\"_id\":\"" + id + "\",\"big\":" + (r.nextBoolean() ? "1e400" : "-"
            + "9".repeat(400)) + "}"), null, Fate.REJECTED);
      }
      case 4 -> { // beyond int64, within double: read as a double
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("_id", id);
        d.put("n", 9.223372036854775807E18 * 10);
        return new Item(utf8("{\"_id\":\"" + id + "\",\"n\":92233720368547758070}"), d, Fate.OK);
      }
      default -> { }
    }
    if (array || kind < 14) {
      return new Item(bytes, doc, Fate.OK);
    }
    // NDJSON only: damage that breaks the line's JSON text
    return switch (kind) {
      case 14 -> new Item(utf8("{\"_id\":\"" + id + "\",\"k\":1,\"k\":2}"), null, Fate.MALFORMED);
      case 15 -> new Item(utf8("{\"_id\":\"" + id + "\",\"x\":NaN}"), null, Fate.MALFORMED);
      case 16 -> new Item(java.util.Arrays.copyOf(bytes, 1 + r.nextInt(bytes.length - 1)), null,
          Fate.MALFORMED);
      case 17 -> {
        byte[] b = bytes.clone();
        int at = r.nextInt(b.length);
        byte garbage = (byte) (r.nextInt(255) + 1);
        b[at] = garbage == '\n' || garbage == '\r' ? (byte) 0xFF : garbage;
        yield new Item(b, null, null); // may still be valid JSON, or even the same text
      }
      case 18 -> new Item(concat(utf8("{\"_id\":\"" + id + "\",\"s\":\""),
          new byte[] {(byte) 0xC3, (byte) 0x28}, utf8("\"}")), null, Fate.MALFORMED);
      default -> new Item(utf8("{\"_id\":\"" + id + "\"} trailing"), null, Fate.MALFORMED);
    };
  }

  static Map<String, Object> object(Random r, int depth, int maxFields) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = r.nextInt(maxFields + 1); i > 0; i--) {
      String name = r.nextInt(4) == 0 ? NAMES[r.nextInt(NAMES.length)] + r.nextInt(3)
          : NAMES[r.nextInt(NAMES.length)];
      m.put(name, value(r, depth));
    }
    return m;
  }

  static Object value(Random r, int depth) {
    int k = r.nextInt(depth >= LIMITS.maxDepth() - 1 ? 6 : 9);
    return switch (k) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> switch (r.nextInt(5)) {
        case 0 -> Long.MAX_VALUE;
        case 1 -> Long.MIN_VALUE;
        case 2 -> 0L;
        default -> r.nextLong() >> r.nextInt(63);
      };
      case 3 -> switch (r.nextInt(6)) {
        case 0 -> Double.MAX_VALUE;
        case 1 -> Double.MIN_VALUE;
        case 2 -> -0.0;
        case 3 -> 1e300 * (r.nextBoolean() ? 1 : -1);
        default -> r.nextGaussian() * Math.pow(10, r.nextInt(30) - 15);
      };
      case 4, 5 -> text(r, r.nextInt(10) == 0 ? 3_000 : 30);
      case 6, 7 -> {
        List<Object> list = new ArrayList<>();
        for (int i = r.nextInt(r.nextInt(8) == 0 ? LIMITS.maxArrayLength() : 5); i > 0; i--) {
          list.add(value(r, depth + 1));
        }
        yield list;
      }
      default -> object(r, depth + 1, 3);
    };
  }

  static String text(Random r, int maxLength) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(maxLength + 1); i > 0; i--) {
      if (r.nextInt(40) == 0) {
        sb.appendCodePoint(0x1F300 + r.nextInt(200));
      } else {
        sb.append(TEXT.charAt(r.nextInt(TEXT.length())));
      }
    }
    return sb.toString();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static boolean validUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  static String preview(byte[] input) {
    String s = new String(input, StandardCharsets.UTF_8);
    return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + input.length + " bytes)";
  }
}
