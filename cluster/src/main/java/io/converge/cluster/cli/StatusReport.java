package io.converge.cluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /v1/cluster}'s answer as three tables: the leaves, the collections, then every
 * partition with its replicas.
 */
final class StatusReport {
  private StatusReport() {}

  static void print(JsonNode status, PrintWriter out) {
    List<String[]> leaves = new ArrayList<>();
    leaves.add(new String[] {"LEAF", "GROUP", "ENDPOINT", "METRICS", "PID", "STATE", "SERVING",
        "HELD", "DOCUMENTS", "LAG", "LAG MS"});
    for (JsonNode l : status.path("leaves")) {
      int serving = 0;
      long docs = 0;
      List<String> servedParts = new ArrayList<>();
      for (JsonNode s : l.path("partitions")) {
        if (s.path("serving").asBoolean()) {
          serving++;
          servedParts.add(s.path("collection").asText() + "/" + s.path("partition").asInt());
        }
        docs += s.path("documents").asLong();
      }
      int metrics = l.path("metricsPort").asInt();
      String state = l.path("state").asText(l.path("alive").asBoolean() ? "alive" : "dead");
      leaves.add(new String[] {l.path("id").asText(), l.path("group").asText(),
          l.path("endpoint").asText(), metrics > 0 ? String.valueOf(metrics) : "-",
          l.path("pid").asText(), l.path("alive").asBoolean() ? state : "DEAD",
          String.valueOf(serving), String.valueOf(l.path("partitions").size()),
          String.format(Locale.ROOT, "%,d", docs),
          String.format(Locale.ROOT, "%,d", l.path("lag").asLong()),
          millis(l.path("lagMillis"))});
    }
    out.println("Leaves:");
    table(leaves, out);
    out.println();
    List<String[]> collections = new ArrayList<>();
    collections.add(new String[] {"COLLECTION", "PARTITIONS", "DOCUMENTS", "SERVING LEAVES",
        "UNSERVED PARTITIONS"});
    for (JsonNode c : status.path("collections")) {
      List<String> servingLeaves = new ArrayList<>();
      c.path("servingLeaves").forEach(n -> servingLeaves.add(n.asText()));
      List<String> unserved = new ArrayList<>();
      c.path("unservedPartitions").forEach(n -> unserved.add(n.asText()));
      collections.add(new String[] {c.path("name").asText(), c.path("partitions").asText(),
          String.format(Locale.ROOT, "%,d", c.path("documents").asLong()),
          String.valueOf(servingLeaves.size()),
          unserved.isEmpty() ? "-" : String.join(",", unserved)});
    }
    out.println("Collections:");
    table(collections, out);
    out.println();
    List<String[]> partitions = new ArrayList<>();
    partitions.add(new String[] {"COLLECTION", "PARTITION", "END OFFSET", "LEAF", "GROUP",
        "SERVING", "APPLIED OFFSET", "LAG", "LAG MS"});
    for (JsonNode p : status.path("partitions")) {
      String name = p.path("collection").asText();
      String partition = p.path("partition").asText();
      String end = p.path("endOffset").asLong() < 0 ? "?"
          : String.format(Locale.ROOT, "%,d", p.path("endOffset").asLong());
      if (p.path("replicas").isEmpty()) {
        partitions.add(new String[] {name, partition, end, "(none)", "-", "-", "-", "-", "-"});
      }
      for (JsonNode r : p.path("replicas")) {
        String serving = !r.path("alive").asBoolean() ? "dead"
            : r.path("serving").asBoolean()
                ? (r.path("handingOff").asBoolean() ? "handing off" : "yes")
            : r.path("assigned").asBoolean() ? "catching up" : "no";
        partitions.add(new String[] {name, partition, end, r.path("leaf").asText(),
            r.path("group").asText(), serving,
            String.format(Locale.ROOT, "%,d", r.path("nextOffset").asLong()),
            String.format(Locale.ROOT, "%,d", r.path("lag").asLong()),
            millis(r.path("lagMillis"))});
      }
    }
    out.println("Partitions:");
    table(partitions, out);
    out.flush();
  }

  /** A lag in milliseconds; "?" when not known (or an older server that does not say). */
  private static String millis(JsonNode n) {
    return n.isMissingNode() || n.asLong() < 0 ? "?" : String.format(Locale.ROOT, "%,d", n.asLong());
  }

  private static void table(List<String[]> rows, PrintWriter out) {
    if (rows.size() == 1) {
      out.println("  (none)");
      return;
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder b = new StringBuilder("  ");
      for (int i = 0; i < r.length; i++) {
        b.append(r[i]);
        if (i < r.length - 1) {
          b.append(" ".repeat(width[i] - r[i].length() + 2));
        }
      }
      out.println(b.toString().stripTrailing());
    }
  }
}
