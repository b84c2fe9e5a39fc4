package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.converge.cluster.leaf.LeafNode;
import io.converge.cluster.leaf.LeafOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of a cluster through the aggregator's admin API: one checkpoint per chosen leaf and a
 * manifest naming a checkpoint for every partition; a leaf started on a copy of the checkpoint
 * (after the original leaf and its data are gone) resumes from the offsets in it: it applies
 * only what was written after the backup, and the cluster answers everything.
 */
@Tag("slow")
class ClusterBackupTest {
  private static final int PARTITIONS = 4;

  @TempDir Path dir;

  @Test
  void aLeafStartedOnTheBackupResumesFromItsOffsets() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start(dir.resolve("cluster"), PARTITIONS)) {
      LeafNode original = LeafNode.startServingFlight(new LeafOptions(cluster.bootstrap(),
          dir.resolve("leaf"), "g", "127.0.0.1", 0, 0));
      cluster.leaves().add(original);
      ClusterHttp.post(cluster.apiUrl(), "b", docs(0, 300));
      cluster.awaitCaughtUp(Duration.ofMinutes(2));

      Path backup = dir.resolve("backups/first");
      HttpResponse<String> r = post(cluster.apiUrl() + "/v1/admin/backup",
          "{\"to\": \"" + backup + "\"}");
      assertEquals(200, r.statusCode(), r.body());
      JsonNode answer = ClusterHttp.JSON.readTree(r.body());
      assertEquals(1, answer.get("checkpoints").asInt(), r.body());
      assertEquals(PARTITIONS, answer.get("partitions").asInt(), r.body());
      JsonNode manifest = ClusterHttp.JSON.readTree(backup.resolve("backup.json").toFile());
      long heldOffsets = 0;
      for (JsonNode p : manifest.get("partitions")) {
        assertEquals(original.leafId(), p.get("checkpoint").asText());
        heldOffsets += p.get("nextOffset").asLong();
      }
      assertEquals(300, heldOffsets, "the checkpoint holds every record written before it");
      assertEquals(409, post(cluster.apiUrl() + "/v1/admin/backup",
          "{\"to\": \"" + backup + "\"}").statusCode(), "a backup goes into a new directory");

      ClusterHttp.post(cluster.apiUrl(), "b", docs(300, 100));
      original.close();
      Path copy = dir.resolve("restored");
      copyTree(backup.resolve(original.leafId()), copy);
      LeafNode restored = LeafNode.startServingFlight(new LeafOptions(cluster.bootstrap(), copy,
          "g", "127.0.0.1", 0, 0));
      cluster.leaves().add(restored);
      cluster.awaitCaughtUp(Duration.ofMinutes(2));
      assertEquals(100, restored.appliedRecords("b"),
          "the restored leaf applies only what was written after the backup");
      try (Connection c = DriverManager.getConnection(cluster.jdbcUrl());
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select count(*), count(distinct _id), sum(n) from b")) {
        assertTrue(rs.next());
        assertEquals(400, rs.getLong(1));
        assertEquals(400, rs.getLong(2));
        assertEquals(400L * 399 / 2, rs.getLong(3));
      }

      // the command line takes the same backup through the aggregator
      Path second = dir.resolve("backups/second");
      java.io.StringWriter out = new java.io.StringWriter();
      picocli.CommandLine cli = io.converge.server.cli.ConvergeCli.commandLine();
      cli.setOut(new java.io.PrintWriter(out, true));
      cli.setErr(new java.io.PrintWriter(out, true));
      assertEquals(io.converge.server.cli.ConvergeCli.OK, cli.execute("backup", "--url",
          cluster.apiUrl(), "--to", second.toString()), out.toString());
      assertTrue(out.toString().contains("1 checkpoints holding " + PARTITIONS + " partitions"),
          out.toString());
      assertTrue(Files.isDirectory(second.resolve(restored.leafId())), out.toString());
    }
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofMinutes(2)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<Map<String, Object>> docs(int from, int count) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "d" + i);
      d.put("n", i);
      out.add(d);
    }
    return out;
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
  }
}
