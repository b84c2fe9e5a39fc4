package io.converge.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of processes from {@code /proc/PID/stat}: user plus system time of every thread, in
 * seconds. Linux only; elsewhere every reading is 0.
 */
final class ProcessCpu {
  /** {@code getconf CLK_TCK}: 100 on every Linux this runs on. */
  static final double TICKS_PER_SECOND = 100.0;

  private ProcessCpu() {}

  /** The process's user + system CPU seconds so far, or 0 when it cannot be read. */
  static double seconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      // fields after the command name, which is in parentheses and may hold spaces
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** CPU seconds of a JVM's own threads: its JIT compilers and its garbage collector. */
  record JvmThreads(double jitSeconds, double gcSeconds) {
    JvmThreads minus(JvmThreads before) {
      return new JvmThreads(jitSeconds - before.jitSeconds, gcSeconds - before.gcSeconds);
    }

    JvmThreads per(int runs) {
      int n = Math.max(1, runs);
      return new JvmThreads(jitSeconds / n, gcSeconds / n);
    }
  }

  /**
   * CPU time so far of a JVM's compiler threads ({@code C1/C2 CompilerThread}) and garbage
   * collector threads ({@code GC Thread#}, {@code G1 ...}), from each thread's {@code schedstat}
   * (nanoseconds on a CPU); zeros when they cannot be read.
   */
  static JvmThreads jvmThreads(long pid) {
    double jit = 0;
    double gc = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path t : tasks.toList()) {
        try {
          String name = Files.readString(t.resolve("comm")).trim();
          boolean isJit = name.contains("CompilerThre");
          boolean isGc = name.startsWith("GC Thread") || name.startsWith("G1 ");
          if (isJit || isGc) {
            String schedstat = Files.readString(t.resolve("schedstat")).trim();
            double seconds = Long.parseLong(schedstat.split("\\s+")[0]) / 1e9;
            jit += isJit ? seconds : 0;
            gc += isGc ? seconds : 0;
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return new JvmThreads(0, 0);
    }
    return new JvmThreads(jit, gc);
  }

  /** {@link #jvmThreads} of several named processes. */
  static Map<String, JvmThreads> readJvmThreads(Map<String, Long> pids) {
    Map<String, JvmThreads> m = new LinkedHashMap<>();
    pids.forEach((name, pid) -> m.put(name, jvmThreads(pid)));
    return m;
  }

  /** A reading of several named processes. */
  static Map<String, Double> read(Map<String, Long> pids) {
    Map<String, Double> m = new LinkedHashMap<>();
    pids.forEach((name, pid) -> m.put(name, seconds(pid)));
    return m;
  }

  /**
   * Per process: CPU seconds per wall-clock second over an idle window of {@code millis} (the
   * caller sends no work meanwhile): what background work (log polling, announcements, GC,
   * compactions) costs the process.
   */
  static Map<String, Double> idlePerSecond(Map<String, Long> pids, long millis)
      throws InterruptedException {
    Map<String, Double> before = read(pids);
    long t0 = System.nanoTime();
    Thread.sleep(millis);
    Map<String, Double> used = delta(before, read(pids));
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Double> rate = new LinkedHashMap<>();
    used.forEach((name, s) -> rate.put(name, s / seconds));
    return rate;
  }

  /** Per process: CPU seconds between two readings. */
  static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> d = new LinkedHashMap<>();
    after.forEach((name, s) -> d.put(name, s - before.getOrDefault(name, 0.0)));
    return d;
  }

  /** The sum of the named processes' values whose name starts with {@code prefix}. */
  static double sum(Map<String, Double> values, String prefix) {
    return values.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  /** The values of the processes whose name starts with {@code prefix}. */
  static List<Double> of(Map<String, Double> values, String prefix) {
    return values.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .map(Map.Entry::getValue).toList();
  }
}
