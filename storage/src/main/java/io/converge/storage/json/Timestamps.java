package io.converge.storage.json;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * Recognizes ISO-8601 date-time strings ({@code 2026-11-25T10:15:30Z},
 * {@code 2026-11-25 10:15:30.123+01:00}, no zone = UTC), which Converge stores as TIMESTAMP
 * (millisecond precision). Anything else stays a string.
 */
public final class Timestamps {
  private static final DateTimeFormatter LOCAL = new DateTimeFormatterBuilder()
      .parseCaseInsensitive()
      .append(DateTimeFormatter.ISO_LOCAL_DATE)
      .optionalStart().appendLiteral('T').optionalEnd()
      .optionalStart().appendLiteral(' ').optionalEnd()
      .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
      .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
      .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
      .toFormatter();
  private static final DateTimeFormatter OFFSET = new DateTimeFormatterBuilder()
      .append(LOCAL).appendOffset("+HH:MM", "Z").toFormatter();

  private Timestamps() {}

  /** The instant a string denotes, or null when it is not an ISO date-time. */
  public static Instant parse(String s) {
    int n = s.length();
    // Cheap shape check first: every string value passes through here at ingest.
    if (n < 19 || n > 35 || s.charAt(4) != '-' || s.charAt(7) != '-'
        || (s.charAt(10) != 'T' && s.charAt(10) != ' ') || s.charAt(13) != ':'
        || !Character.isDigit(s.charAt(0))) {
      return null;
    }
    try {
      char last = s.charAt(n - 1);
      boolean hasZone = last == 'Z' || last == 'z' || s.lastIndexOf('+') > 10
          || s.lastIndexOf('-') > 10;
      if (hasZone) {
        return OffsetDateTime.parse(s.replace('z', 'Z'), OFFSET).toInstant();
      }
      return LocalDateTime.parse(s, LOCAL).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Canonical text form, as a mixed-type column shows a timestamp. */
  public static String format(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }
}
