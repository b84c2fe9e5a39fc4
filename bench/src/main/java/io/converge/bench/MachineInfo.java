package io.converge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the figures were measured on. */
record MachineInfo(int cores, long maxHeapBytes, String java, String os, String cpu) {

  static MachineInfo current() {
    Runtime rt = Runtime.getRuntime();
    String java = System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
        + ", " + System.getProperty("java.vendor") + ")";
    String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch");
    return new MachineInfo(rt.availableProcessors(), rt.maxMemory(), java, os, cpuModel());
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: leave it out
    }
    return "unknown";
  }

  String describe() {
    return String.format(Locale.ROOT, "%d cores (%s), max heap %s, Java %s, %s", cores, cpu,
        Timings.megabytes(maxHeapBytes), java, os);
  }
}
