package io.converge.bench;

import java.util.Arrays;
import java.util.Locale;

/** Timing helpers: medians and human-readable figures. */
public final class Timings {
  private Timings() {}

  /** Median of the samples (mean of the middle two for an even count), in the same unit. */
  public static double median(long[] samples) {
    long[] s = samples.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
  }

  /**
   * The {@code p}-th percentile (0 < p <= 100) by the nearest-rank method: the smallest sample
   * such that at least p% of the samples are at or below it.
   */
  public static long percentile(long[] samples, double p) {
    long[] s = samples.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.min(s.length, Math.max(1, rank)) - 1];
  }

  public static double millis(double nanos) {
    return nanos / 1e6;
  }

  public static String ms(double nanos) {
    double m = millis(nanos);
    return m >= 100 ? String.format(Locale.ROOT, "%,.0f ms", m)
        : String.format(Locale.ROOT, "%.1f ms", m);
  }

  /** Sub-millisecond latencies: three decimals below 10 ms. */
  public static String latency(double nanos) {
    double m = millis(nanos);
    return m >= 10 ? ms(nanos) : String.format(Locale.ROOT, "%.3f ms", m);
  }

  public static String seconds(double nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%,.0f MB", bytes / (1024.0 * 1024.0));
  }
}
