package io.converge.rules;

import java.util.Arrays;

/**
 * Exact percentiles as Calcite user-defined aggregates (Calcite's enumerable convention has no
 * implementation of {@code PERCENTILE_CONT} / {@code PERCENTILE_DISC ... WITHIN GROUP}):
 * {@link ConvergePercentileRule} rewrites those calls into these. The values of a group are kept
 * in memory and sorted once, at the end. Nulls are ignored; a group without values answers null.
 * The nested classes follow Calcite's reflective convention ({@code init}, {@code add},
 * {@code merge}, {@code result}).
 */
public final class Percentiles {
  private Percentiles() {}

  /** A group's values and its fraction (constant for the call). */
  public static final class Values {
    double[] values = new double[16];
    int size;
    double fraction = Double.NaN;

    void add(Number value, Number fraction) {
      double f = fraction == null ? Double.NaN : fraction.doubleValue();
      if (!(f >= 0 && f <= 1)) {
        throw new IllegalArgumentException(
            "the percentile fraction must be between 0 and 1, got " + fraction);
      }
      this.fraction = f;
      if (value == null) {
        return;
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value.doubleValue();
    }

    Values merge(Values other) {
      for (int i = 0; i < other.size; i++) {
        add(other.values[i], (Number) other.fraction);
      }
      return this;
    }

    /** The sorted values, ascending, or descending when {@code descending}. */
    double[] sorted(boolean descending) {
      double[] v = Arrays.copyOf(values, size);
      Arrays.sort(v);
      if (descending) {
        for (int i = 0, j = v.length - 1; i < j; i++, j--) {
          double t = v[i];
          v[i] = v[j];
          v[j] = t;
        }
      }
      return v;
    }

    /** Linear interpolation between the two values around {@code fraction * (n - 1)}. */
    Double continuous(boolean descending) {
      if (size == 0) {
        return null;
      }
      double[] v = sorted(descending);
      double position = fraction * (v.length - 1);
      int lower = (int) Math.floor(position);
      int upper = (int) Math.ceil(position);
      return v[lower] + (position - lower) * (v[upper] - v[lower]);
    }

    /** The first value whose cumulative distribution reaches {@code fraction}. */
    Double discrete(boolean descending) {
      if (size == 0) {
        return null;
      }
      double[] v = sorted(descending);
      int index = Math.max(0, (int) Math.ceil(fraction * v.length) - 1);
      return v[index];
    }
  }

  /**
   * What the four aggregates share: Calcite finds {@code init}, {@code add} and {@code merge}
   * among a class's public methods, inherited ones included; each subclass names its result.
   */
  public abstract static class Aggregate {
    public Values init() {
      return new Values();
    }

    public Values add(Values acc, Number value, Number fraction) {
      acc.add(value, fraction);
      return acc;
    }

    public Values merge(Values a, Values b) {
      return a.merge(b);
    }
  }

  /** {@code PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x)}. */
  public static final class Cont extends Aggregate {
    public Double result(Values acc) {
      return acc.continuous(false);
    }
  }

  /** {@code PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x DESC)}. */
  public static final class ContDesc extends Aggregate {
    public Double result(Values acc) {
      return acc.continuous(true);
    }
  }

  /** {@code PERCENTILE_DISC(f) WITHIN GROUP (ORDER BY x)}, for DOUBLE values. */
  public static final class Disc extends Aggregate {
    public Double result(Values acc) {
      return acc.discrete(false);
    }
  }

  /** {@code PERCENTILE_DISC(f) WITHIN GROUP (ORDER BY x DESC)}, for DOUBLE values. */
  public static final class DiscDesc extends Aggregate {
    public Double result(Values acc) {
      return acc.discrete(true);
    }
  }
}
