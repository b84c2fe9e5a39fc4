package io.converge.cluster.aggregator.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.LeafEndpoint;
import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.ClusterJson;
import io.converge.cluster.log.LeafAnnouncement;
import io.converge.server.admin.BackupTaker;
import io.converge.server.admin.BackupTaker.BackupRefusedException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A backup of a cluster: for every partition of every collection one replica that serves it
 * (as queries are routed), and of each leaf so chosen a checkpoint of its store, written by the
 * leaf into {@code TARGET/<leaf id>} ({@code POST /v1/leaf/checkpoint} on its HTTP port), with
 * {@code TARGET/backup.json} naming, per partition, the checkpoint that holds it and the offset
 * it holds it at. A leaf started on a copy of such a checkpoint resumes each partition it is
 * given from that offset and the log.
 *
 * <p>The checkpoints are taken one leaf after the other, each consistent in itself (documents and
 * offsets together), so the partitions of a backup stand at different instants; every one is a
 * prefix of its partition's log, which is what a restore from the log needs.
 */
public final class ClusterBackup {
  public static final String MANIFEST = "backup.json";
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private ClusterBackup() {}

  /** What the admin API of an aggregator ({@code POST /v1/admin/backup}) takes a backup with. */
  public static BackupTaker taker(ClusterView view) {
    return new BackupTaker() {
      @Override
      public Path dataDir() {
        return null;
      }

      @Override
      public Map<String, Object> take(Path to)
          throws BackupRefusedException, IOException, InterruptedException {
        Map<String, Object> manifest = ClusterBackup.take(view, to);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("checkpoints", ((List<?>) manifest.get("checkpoints")).size());
        answer.put("partitions", ((List<?>) manifest.get("partitions")).size());
        answer.put("manifest", to.resolve(MANIFEST).toString());
        return answer;
      }
    };
  }

  /**
   * Takes the backup into {@code target} (absolute, not existing yet) and returns the manifest.
   *
   * @throws BackupRefusedException when a partition has no serving replica (503), a chosen leaf has no
   *     HTTP port or refuses (502)
   */
  public static Map<String, Object> take(ClusterView view, Path target)
      throws BackupRefusedException, IOException, InterruptedException {
    Map<String, LeafAnnouncement> leaves = view.announcements();
    // leaf id -> "collection\u0000partition" it is chosen for
    Map<String, Set<String>> chosen = new TreeMap<>();
    Map<String, CatalogEntry> collections = new TreeMap<>(view.collections());
    for (CatalogEntry e : collections.values()) {
      List<Integer> all = new ArrayList<>();
      for (int p = 0; p < e.partitions(); p++) {
        all.add(p);
      }
      Map<LeafEndpoint, List<Integer>> route;
      try {
        route = view.route(e.collection(), all, null);
      } catch (FragmentException fe) {
        throw new BackupRefusedException(503, "no backup taken: " + fe.getMessage());
      }
      for (Map.Entry<LeafEndpoint, List<Integer>> r : route.entrySet()) {
        for (int p : r.getValue()) {
          chosen.computeIfAbsent(r.getKey().leafId(), k -> new TreeSet<>())
              .add(e.collection() + '\u0000' + p);
        }
      }
    }
    Files.createDirectories(target);
    List<Map<String, Object>> leafRows = new ArrayList<>();
    List<Map<String, Object>> partitionRows = new ArrayList<>();
    for (Map.Entry<String, Set<String>> c : chosen.entrySet()) {
      LeafAnnouncement a = leaves.get(c.getKey());
      if (a == null || a.metricsPort() <= 0) {
        throw new BackupRefusedException(502, "no backup taken: leaf " + c.getKey() + " serves no HTTP "
            + "port (started with --http-port -1), which a backup asks for its checkpoint");
      }
      JsonNode answer = checkpoint(a, target.resolve(a.leafId()));
      Map<String, Long> offsets = new LinkedHashMap<>();
      for (JsonNode s : answer.path("shards")) {
        offsets.put(s.path("collection").asText() + '\u0000' + s.path("partition").asInt(),
            s.path("nextOffset").asLong());
      }
      for (String key : c.getValue()) {
        Long next = offsets.get(key);
        String[] parts = key.split("\u0000", 2);
        if (next == null) {
          throw new BackupRefusedException(502, "no backup taken: leaf " + a.leafId() + "'s checkpoint "
              + "lacks partition " + parts[1] + " of '" + parts[0] + "' (it moved away meanwhile;"
              + " try again)");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("collection", parts[0]);
        row.put("partition", Integer.parseInt(parts[1]));
        row.put("checkpoint", a.leafId());
        row.put("nextOffset", next);
        partitionRows.add(row);
      }
      Map<String, Object> leafRow = new LinkedHashMap<>();
      leafRow.put("leaf", a.leafId());
      leafRow.put("replicaGroup", a.replicaGroup());
      leafRow.put("checkpoint", target.resolve(a.leafId()).toString());
      leafRow.put("partitions", c.getValue().size());
      leafRows.add(leafRow);
    }
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("takenMillis", System.currentTimeMillis());
    List<Map<String, Object>> collectionRows = new ArrayList<>();
    for (CatalogEntry e : collections.values()) {
      collectionRows.add(Map.of("name", e.collection(), "partitions", e.partitions()));
    }
    manifest.put("collections", collectionRows);
    manifest.put("checkpoints", leafRows);
    manifest.put("partitions", partitionRows);
    Files.write(target.resolve(MANIFEST), ClusterJson.MAPPER.copy()
        .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(manifest));
    return manifest;
  }

  private static JsonNode checkpoint(LeafAnnouncement a, Path to)
      throws BackupRefusedException, InterruptedException {
    URI uri = URI.create("http://" + a.host() + ":" + a.metricsPort() + "/v1/leaf/checkpoint");
    try {
      HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(uri)
          .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(ClusterJson.encode(
              Map.of("to", to.toString())))).build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode body = ClusterJson.MAPPER.readTree(r.body());
      if (r.statusCode() != 200) {
        throw new BackupRefusedException(502, "no backup taken: leaf " + a.leafId() + " refused its "
            + "checkpoint (HTTP " + r.statusCode() + "): " + body.path("error").asText());
      }
      return body;
    } catch (IOException e) {
      throw new BackupRefusedException(502, "no backup taken: cannot reach leaf " + a.leafId() + " at "
          + uri + ": " + e.getMessage());
    }
  }
}
