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
    Instant fast = parseCommon(s, n);
    return fast != null ? fast : parseWithFormatters(s, n);
  }

  /** {@link #parse} through the formatters alone, after the shape check (tests compare both). */
  static Instant parseWithFormatters(String s, int n) {
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

  /**
   * The common forms ({@code 2026-11-25T10:15:30[.fraction][Z|+HH:MM|-HH:MM]}, 'T' or a space,
   * ASCII digits, a valid date and time of day) without the formatters, which cost several
   * microseconds per string: every string value of every ingested document passes through
   * {@link #parse}. Returns null for anything else (which then takes the formatters' path), so
   * both paths give the same instant for every string this one accepts.
   */
  private static Instant parseCommon(String s, int n) {
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0 || s.charAt(16) != ':'
        || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59
        || day > java.time.Month.of(month).length(java.time.Year.isLeap(year))) {
      return null;
    }
    int p = 19;
    int nanos = 0;
    if (p < n && s.charAt(p) == '.') {
      int start = ++p;
      while (p < n && p - start < 9 && isAsciiDigit(s.charAt(p))) {
        nanos = nanos * 10 + (s.charAt(p) - '0');
        p++;
      }
      int len = p - start;
      if (len == 0 || (p < n && isAsciiDigit(s.charAt(p)))) {
        return null;
      }
      for (int i = len; i < 9; i++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (p == n) {
      offsetSeconds = 0;
    } else if (p == n - 1 && (s.charAt(p) == 'Z' || s.charAt(p) == 'z')) {
      offsetSeconds = 0;
    } else if (p == n - 6 && (s.charAt(p) == '+' || s.charAt(p) == '-')
        && s.charAt(p + 3) == ':') {
      int oh = digits(s, p + 1, 2);
      int om = digits(s, p + 4, 2);
      if (oh < 0 || om < 0 || oh > 17 || om > 59) {
        return null;
      }
      offsetSeconds = (s.charAt(p) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
    long seconds = epochDay * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /** The non-negative number of {@code len} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int len) {
    int v = 0;
    for (int i = from; i < from + len; i++) {
      char c = s.charAt(i);
      if (!isAsciiDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Canonical text form, as a mixed-type column shows a timestamp. */
  public static String format(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }
}
