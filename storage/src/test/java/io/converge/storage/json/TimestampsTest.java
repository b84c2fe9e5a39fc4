package io.converge.storage.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Test
  void commonFormsGiveTheFormattersInstants() {
    assertEquals(Instant.parse("2026-11-25T10:15:30Z"), Timestamps.parse("2026-11-25T10:15:30Z"));
    assertEquals(Instant.parse("2026-11-25T09:15:30.123Z"),
        Timestamps.parse("2026-11-25 10:15:30.123+01:00"));
    assertEquals(Instant.parse("2026-11-25T10:15:30Z"), Timestamps.parse("2026-11-25T10:15:30"));
    assertEquals(Instant.parse("2024-02-29T23:59:59.000000001Z"),
        Timestamps.parse("2024-02-29T23:59:59.000000001z"));
  }

  @Test
  void invalidDatesAndTimesAreNotTimestamps() {
    assertNull(Timestamps.parse("2026-13-25T10:15:30Z"));
    assertNull(Timestamps.parse("2026-11-25T24:15:30Z"));
    assertNull(Timestamps.parse("2026-11-25T10:15:30.Z"));
    assertNull(Timestamps.parse("2026-11-25T10:15:30.1234567890Z"));
    assertNull(Timestamps.parse("2026-11-25X10:15:30Z"));
    assertNull(Timestamps.parse("not a date at all, really"));
  }

  /** The fast path and the formatters agree on every string, valid or not (random mutations). */
  @Test
  void fastPathAgreesWithTheFormatters() {
    String[] templates = {
        "2026-11-25T10:15:30Z", "2026-11-25 10:15:30.123+01:00", "2026-02-28T23:59:59",
        "2024-02-29T00:00:00.5-05:30", "2023-02-29T12:00:00Z", "2026-04-31T12:00:00Z",
        "1999-12-31T23:59:59.999999999+14:00", "0000-01-01T00:00:00Z",
        "2026-11-25T10:15:30+18:00", "2026-11-25T10:15:30-00:00", "2026-11-25T10:15:30.12345"};
    String alphabet = "0123456789:-+.TZz tx\u0661";
    SplittableRandom r = new SplittableRandom(7);
    int compared = 0;
    for (int i = 0; i < 200_000; i++) {
      StringBuilder b = new StringBuilder(templates[r.nextInt(templates.length)]);
      int edits = r.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int kind = r.nextInt(3);
        char c = alphabet.charAt(r.nextInt(alphabet.length()));
        if (kind == 0 && b.length() > 0) {
          b.setCharAt(r.nextInt(b.length()), c);
        } else if (kind == 1) {
          b.insert(r.nextInt(b.length() + 1), c);
        } else if (b.length() > 0) {
          b.deleteCharAt(r.nextInt(b.length()));
        }
      }
      String s = b.toString();
      Instant fast = Timestamps.parse(s);
      int n = s.length();
      boolean shaped = n >= 19 && n <= 35 && s.charAt(4) == '-' && s.charAt(7) == '-'
          && (s.charAt(10) == 'T' || s.charAt(10) == ' ') && s.charAt(13) == ':'
          && Character.isDigit(s.charAt(0));
      Instant slow = shaped ? Timestamps.parseWithFormatters(s, n) : null;
      assertEquals(slow, fast, s);
      compared++;
    }
    assertEquals(200_000, compared);
  }
}
