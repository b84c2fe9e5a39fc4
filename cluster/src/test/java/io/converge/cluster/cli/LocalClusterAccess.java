package io.converge.cluster.cli;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The test side's door to the package-private parts of a local cluster, for harnesses that
 * replace its processes behind its back (the chaos test relaunches a killed process and records
 * the new pid, so that {@code cluster stop} still finds it).
 */
public final class LocalClusterAccess {
  private LocalClusterAccess() {}

  /**
   * Records {@code pid} as the process named {@code name} in {@code dir}'s {@code cluster.json}.
   *
   * @throws IllegalArgumentException when the file names no such process
   */
  public static void recordPid(Path dir, String name, long pid) throws IOException {
    ClusterFile file = ClusterFile.read(dir);
    ClusterFile.Proc p = file == null ? null : file.named(name);
    if (p == null) {
      throw new IllegalArgumentException(dir + " has no process named " + name);
    }
    file.withProcess(p.withPid(pid)).write(dir);
  }

  /** The HTTP port of aggregator {@code i} (0-based) of the file's cluster. */
  public static int aggregatorPort(ClusterFile file, int i) {
    return file.options().aggregatorPort(i);
  }
}
