package io.converge.cluster.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.converge.cluster.log.ClusterJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code DIR/cluster.json}: what {@code cluster start} launched and with which options, so that
 * {@code cluster stop} finds every process and a second {@code start} resumes the same cluster.
 *
 * <pre>
 * {"processes": [{"role": "kafka"|"leaf"|"aggregator", "name": .., "pid": .., "ports": {..},
 *                 "dataDir": .., "replicaGroup": .., "log": ..}, ...],
 *  "options": {...}, "bootstrap": "127.0.0.1:PORT", "jdbcUrl": .., "sampleDataLoaded": ..}
 * </pre>
 *
 * @param bootstrap the Kafka bootstrap servers the cluster uses
 * @param jdbcUrl the aggregator's JDBC URL
 * @param sampleDataLoaded whether {@code cluster demo} loaded the sample data set
 */
public record ClusterFile(List<Proc> processes, ClusterSettings options, String bootstrap,
    String jdbcUrl, boolean sampleDataLoaded) {
  public static final String NAME = "cluster.json";
  public static final String KAFKA = "kafka";
  public static final String LEAF = "leaf";
  public static final String AGGREGATOR = "aggregator";

  public ClusterFile {
    processes = processes == null ? List.of() : List.copyOf(processes);
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
    return new ClusterFile(all, options, bootstrap, jdbcUrl, sampleDataLoaded);
  }

  ClusterFile withJdbcUrl(String url) {
    return new ClusterFile(processes, options, bootstrap, url, sampleDataLoaded);
  }

  ClusterFile withBootstrap(String b) {
    return new ClusterFile(processes, options, b, jdbcUrl, sampleDataLoaded);
  }

  ClusterFile withSampleDataLoaded() {
    return new ClusterFile(processes, options, bootstrap, jdbcUrl, true);
  }

  /** The processes of a role, in the order they were launched. */
  List<Proc> role(String role) {
    return processes.stream().filter(p -> p.role().equals(role)).toList();
  }

  Proc named(String name) {
    return processes.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }
}
