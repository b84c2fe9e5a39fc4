package io.converge.cluster.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.converge.cluster.log.ClusterJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code DIR/cluster.json}: what {@code cluster start} launched and with which options, so that
 * {@code cluster stop} finds every process and a second {@code start} resumes the same cluster.
 *
 * <pre>
 * {"processes": [{"role": "kafka"|"leaf"|"aggregator", "name": .., "pid": .., "ports": {..},
 *                 "dataDir": .., "replicaGroup": .., "log": ..}, ...],
 *  "options": {...}, "bootstrap": "127.0.0.1:PORT", "jdbcUrl": .., "sampleDataLoaded": ..,
 *  "removedLeaves": [..]}
 * </pre>
 *
 * <p>The leaves a resumed cluster runs are the {@code --leaves x --replicas} it was started with,
 * minus the ones {@code cluster remove-leaf} drained, plus the ones {@code cluster add-leaf} added.
 *
 * @param bootstrap the Kafka bootstrap servers the cluster uses
 * @param jdbcUrl the aggregator's JDBC URL
 * @param sampleDataLoaded whether {@code cluster demo} loaded the sample data set
 * @param removedLeaves names of the leaves {@code cluster remove-leaf} took out
 */
public record ClusterFile(List<Proc> processes, ClusterSettings options, String bootstrap,
    String jdbcUrl, boolean sampleDataLoaded, List<String> removedLeaves) {
  public static final String NAME = "cluster.json";
  public static final String KAFKA = "kafka";
  public static final String LEAF = "leaf";
  public static final String AGGREGATOR = "aggregator";

  public ClusterFile {
    processes = processes == null ? List.of() : List.copyOf(processes);
    removedLeaves = removedLeaves == null ? List.of() : List.copyOf(removedLeaves);
  }

  /** A file of a cluster no leaf was removed from. */
  public ClusterFile(List<Proc> processes, ClusterSettings options, String bootstrap,
      String jdbcUrl, boolean sampleDataLoaded) {
    this(processes, options, bootstrap, jdbcUrl, sampleDataLoaded, List.of());
  }

  /**
   * One launched process.
   *
   * @param role {@value #KAFKA}, {@value #LEAF} or {@value #AGGREGATOR}
   * @param name unique in the cluster: {@code kafka}, {@code leaf-g0-1}, {@code aggregator}
   * @param ports by purpose ({@code kafka}, {@code controller}, {@code flight}, {@code http};
   *     a leaf's {@code metrics}: its {@code GET /metrics})
   * @param dataDir its directory, or null
   * @param replicaGroup a leaf's replica group, else null
   * @param log where its output goes
   */
  public record Proc(String role, String name, long pid, Map<String, Integer> ports,
      String dataDir, String replicaGroup, String log) {
    Proc withPid(long newPid) {
      return new Proc(role, name, newPid, ports, dataDir, replicaGroup, log);
    }
  }

  public static Path path(Path dir) {
    return dir.resolve(NAME);
  }

  /** The file in {@code dir}, or null when there is none. */
  public static ClusterFile read(Path dir) throws IOException {
    Path f = path(dir);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      return ClusterJson.decode(Files.readAllBytes(f), ClusterFile.class);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(f + " is not a cluster file: " + e.getMessage(), e);
    }
  }

  /** Replaces the file atomically: a crash leaves the old or the new one. */
  public void write(Path dir) throws IOException {
    Path tmp = dir.resolve(NAME + ".tmp");
    Files.write(tmp, ClusterJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsBytes(this));
    Files.move(tmp, path(dir), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  ClusterFile withProcess(Proc p) {
    List<Proc> all = new ArrayList<>();
    boolean replaced = false;
    for (Proc q : processes) {
      if (q.name().equals(p.name())) {
        all.add(p);
        replaced = true;
      } else {
        all.add(q);
      }
    }
    if (!replaced) {
      all.add(p);
    }
    return new ClusterFile(all, options, bootstrap, jdbcUrl, sampleDataLoaded, removedLeaves);
  }

  ClusterFile withJdbcUrl(String url) {
    return new ClusterFile(processes, options, bootstrap, url, sampleDataLoaded, removedLeaves);
  }

  ClusterFile withBootstrap(String b) {
    return new ClusterFile(processes, options, b, jdbcUrl, sampleDataLoaded, removedLeaves);
  }

  ClusterFile withSampleDataLoaded() {
    return new ClusterFile(processes, options, bootstrap, jdbcUrl, true, removedLeaves);
  }

  /** The file without the leaf {@code name}, recorded as removed so that a resume skips it. */
  ClusterFile withoutLeaf(String name) {
    List<Proc> rest = new ArrayList<>(processes);
    rest.removeIf(p -> p.name().equals(name));
    List<String> removed = new ArrayList<>(removedLeaves);
    if (!removed.contains(name)) {
      removed.add(name);
    }
    return new ClusterFile(rest, options, bootstrap, jdbcUrl, sampleDataLoaded, removed);
  }

  /**
   * The leaves the cluster runs, as (name, replica group): the {@code --leaves x --replicas} grid
   * without the removed ones, then the added ones in the order they were added.
   */
  List<Map.Entry<String, String>> leaves() {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int g = 0; g < options.replicas(); g++) {
      for (int n = 0; n < options.leaves(); n++) {
        String group = ClusterSettings.group(g);
        String name = LocalCluster.leafName(group, n);
        if (!removedLeaves.contains(name) && names.add(name)) {
          out.add(Map.entry(name, group));
        }
      }
    }
    for (Proc p : role(LEAF)) {
      if (names.add(p.name())) {
        out.add(Map.entry(p.name(), p.replicaGroup()));
      }
    }
    return out;
  }

  /** The processes of a role, in the order they were launched. */
  List<Proc> role(String role) {
    return processes.stream().filter(p -> p.role().equals(role)).toList();
  }

  Proc named(String name) {
    return processes.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }
}
