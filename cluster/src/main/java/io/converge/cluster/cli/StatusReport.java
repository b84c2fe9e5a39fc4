package io.converge.cluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code GET /v1/cluster}'s answer as two tables: the leaves, then the collections. */
final class StatusReport {
  private StatusReport() {}

  static void print(JsonNode status, PrintWriter out) {
    List<String[]> leaves = new ArrayList<>();
    leaves.add(new String[] {"LEAF", "GROUP", "ENDPOINT", "PID", "ALIVE", "SERVING", "HELD",
        "DOCUMENTS", "LAG"});
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
      leaves.add(new String[] {l.path("id").asText(), l.path("group").asText(),
          l.path("endpoint").asText(), l.path("pid").asText(),
          l.path("alive").asBoolean() ? "yes" : "NO", String.valueOf(serving),
          String.valueOf(l.path("partitions").size()), String.format(Locale.ROOT, "%,d", docs),
          String.format(Locale.ROOT, "%,d", l.path("lag").asLong())});
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
    out.flush();
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
