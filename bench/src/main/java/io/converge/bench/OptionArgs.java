package io.converge.bench;

/**
 * Walks a benchmark's {@code --name value} / {@code --name=value} arguments; {@code --help} and
 * {@code -h} set {@link #help()} instead of producing an option. Also the number checks options
 * share.
 */
public final class OptionArgs {
  private final String[] args;
  private int i = -1;
  private boolean help;
  private String arg;
  private String name;
  private String value;

  public OptionArgs(String[] args) {
    this.args = args;
  }

  /** Moves to the next option; false at the end. */
  public boolean next() {
    while (++i < args.length) {
      arg = args[i];
      name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (name.equals("--help") || name.equals("-h")) {
        help = true;
        continue;
      }
      if (arg.contains("=")) {
        value = arg.substring(arg.indexOf('=') + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("option " + arg + " needs a value");
      }
      return true;
    }
    return false;
  }

  public String name() {
    return name;
  }

  public String value() {
    return value;
  }

  /** The error for an option the benchmark does not know. */
  public IllegalArgumentException unknown() {
    return new IllegalArgumentException("unknown option " + arg);
  }

  public boolean help() {
    return help;
  }

  public static long number(String name, String v) {
    try {
      return Long.parseLong(v.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a number, not '" + v + "'");
    }
  }

  public static long positive(String name, String v) {
    long n = number(name, v);
    if (n < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, not " + n);
    }
    return n;
  }

  public static long nonNegative(String name, String v) {
    long n = number(name, v);
    if (n < 0) {
      throw new IllegalArgumentException(name + " must not be negative, not " + n);
    }
    return n;
  }
}
