package io.converge.server.metrics;

import static org.junit.jupiter.api.Assertions.fail;

/** Reads samples out of a scrape in Prometheus' text format (tests only). */
public final class PrometheusText {
  private final String body;

  public PrometheusText(String body) {
    this.body = body;
  }

  /** The sample line of {@code name} whose labels contain every fragment, or null. */
  public String line(String name, String... labelFragments) {
    for (String line : body.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      String rest = line.substring(name.length());
      if (!rest.startsWith("{") && !rest.startsWith(" ") && labelFragments.length > 0
          && !labelFragments[0].isEmpty()) {
        continue;
      }
      boolean all = true;
      for (String f : labelFragments) {
        all &= rest.contains(f);
      }
      if (all) {
        return line;
      }
    }
    return null;
  }

  public boolean has(String name, String... labelFragments) {
    return line(name, labelFragments) != null;
  }

  /** The value of the sample line of {@code name} with the labels; fails when there is none. */
  public double value(String name, String... labelFragments) {
    String line = line(name, labelFragments);
    if (line == null) {
      fail("no sample " + name + " with " + String.join(",", labelFragments) + " in:\n" + body);
    }
    String[] parts = line.trim().split(" ");
    // name{labels} value [timestamp]: labels may hold spaces, the value follows the last '}'
    int close = line.lastIndexOf('}');
    String tail = close >= 0 ? line.substring(close + 1).trim() : parts[1];
    return Double.parseDouble(tail.split(" ")[0]);
  }
}
