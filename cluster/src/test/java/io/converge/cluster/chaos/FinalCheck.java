package io.converge.cluster.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The check after the faults, once the cluster is quiet, through one route (the aggregators'
 * choice, or one replica group): every document whose last acknowledged state is present is there
 * exactly once with that version (or the version of a later write whose fate is unknown),
 * every acknowledged delete is absent (unless a later unknown write landed), no id the writers
 * never sent is there, {@code COUNT(*)} and {@code SUM(v)} agree with the rows read and with the
 * model, and {@code _id} lookups of a sample of ids agree with the scan.
 *
 * <p>Missing or older than acknowledged is <em>lost</em>; anything else that disagrees (twice,
 * present though deleted, a version never acknowledged nor pending, an unknown id) is
 * <em>wrong</em>.
 */
final class FinalCheck {
  private static final int ATTEMPTS = 5;
  private static final int SAMPLE = 20;

  private FinalCheck() {}

  /**
   * @param replicaGroup the group to read from, or null for the aggregators' choice
   * @param fence every offset acknowledged to any writer
   */
  static void verify(String url, String collection, String replicaGroup,
      Map<Integer, Long> fence, DocModel model, ChaosTally tally, Random random)
      throws InterruptedException {
    String route = replicaGroup == null ? "default route" : "replica group " + replicaGroup;
    Properties p = new Properties();
    if (replicaGroup != null) {
      p.setProperty("replicaGroup", replicaGroup);
    }
    p.setProperty("readWaitMs", "30000");
    StringBuilder f = new StringBuilder("{\"").append(collection).append("\": {");
    String sep = "";
    for (Map.Entry<Integer, Long> e : fence.entrySet()) {
      f.append(sep).append('"').append(e.getKey()).append("\": ").append(e.getValue());
      sep = ", ";
    }
    p.setProperty("fence", f.append("}}").toString());
    SQLException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try (Connection c = DriverManager.getConnection(url, p)) {
        check(c, collection, route, model, tally, random);
        return;
      } catch (SQLException e) {
        last = e;
        System.err.println("chaos: final check through " + route + " failed, retrying: "
            + QueryFailures.messages(e));
        Thread.sleep(2_000);
      }
    }
    tally.wrong("final check through " + route + " could not read: "
        + QueryFailures.messages(last));
  }

  private static void check(Connection c, String collection, String route, DocModel model,
      ChaosTally tally, Random random) throws SQLException {
    Map<String, List<Long>> rows = new TreeMap<>();
    long scanned = 0;
    long scannedSum = 0;
    try (Statement st = c.createStatement()) {
      st.setQueryTimeout(120);
      try (ResultSet rs = st.executeQuery("SELECT _id, v FROM " + collection)) {
        while (rs.next()) {
          rows.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
          scanned++;
          scannedSum += rs.getLong(2);
        }
      }
      long count;
      long sum;
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(v) FROM " + collection)) {
        rs.next();
        count = rs.getLong(1);
        sum = rs.getLong(2);
      }
      Map<String, DocModel.Doc> docs = model.snapshot();
      DocModel.Bounds bounds = model.bounds(docs.keySet(), true);
      if (count != scanned || sum != scannedSum) {
        tally.wrong(route + ": COUNT(*) " + count + ", SUM(v) " + sum + " but the scan read "
            + scanned + " rows summing to " + scannedSum);
      }
      if (!bounds.admits(count, sum)) {
        tally.wrong(route + ": COUNT(*) " + count + ", SUM(v) " + sum + " outside the model's "
            + bounds);
      }
      for (Map.Entry<String, DocModel.Doc> e : docs.entrySet()) {
        compare(route + " scan", e.getKey(), e.getValue(), rows.getOrDefault(e.getKey(),
            List.of()), tally);
      }
      for (String id : rows.keySet()) {
        if (!docs.containsKey(id)) {
          tally.wrong(route + ": " + id + " is there, but no writer ever sent it");
        }
      }
    }
    List<String> ids = new ArrayList<>(model.snapshot().keySet());
    try (PreparedStatement byId = c.prepareStatement("SELECT v FROM " + collection
        + " WHERE _id = ?")) {
      byId.setQueryTimeout(60);
      for (int i = 0; i < SAMPLE && !ids.isEmpty(); i++) {
        String id = ids.get(random.nextInt(ids.size()));
        byId.setString(1, id);
        List<Long> got = new ArrayList<>();
        try (ResultSet rs = byId.executeQuery()) {
          while (rs.next()) {
            got.add(rs.getLong(1));
          }
        }
        compare(route + " _id lookup", id, model.known(id), got, tally);
        if (!got.equals(rows.getOrDefault(id, List.of()))) {
          tally.wrong(route + ": the _id lookup of " + id + " gave " + got + ", the scan "
              + rows.get(id));
        }
      }
    }
  }

  private static void compare(String route, String id, DocModel.Doc d, List<Long> got,
      ChaosTally tally) {
    Set<Long> allowed = d.allowed(true);
    long seen = got.isEmpty() ? DocModel.ABSENT : got.get(0);
    if (got.size() > 1) {
      tally.wrong(route + ": " + id + " is there " + got.size() + " times " + got);
    } else if (!allowed.contains(seen)) {
      long acked = d.acked();
      boolean lost = acked != DocModel.ABSENT && (seen == DocModel.ABSENT || seen < acked);
      String finding = route + ": " + id + " is " + (seen == DocModel.ABSENT ? "absent" : "v"
          + seen) + ", expected one of " + allowed + "; history " + d.history();
      if (lost) {
        tally.lost(finding);
      } else {
        tally.wrong(finding);
      }
    }
  }
}
