package io.converge.cluster.cli;

import java.nio.file.Path;

/** The JVM settings of the processes a local cluster launches. */
final class JvmFlags {
  /**
   * Arrow's memory module reads java.nio internals; Java 17 denies that unless opened. Arrow runs
   * from the class path (the unnamed module): naming its module too would make every JVM warn
   * "Unknown module: org.apache.arrow.memory.core".
   */
  static final String ARROW_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";
  /** The system property naming a launched process (its first argument, see {@link Role}). */
  static final String MARKER = "-Dconverge.cluster.process=";

  private JvmFlags() {}

  /** This JVM's java: children run on the same runtime and class path as the launcher. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String classPath() {
    return System.getProperty("java.class.path");
  }

  /** Physical memory in MiB, or 0 when unknown. */
  static long memoryMib() {
    try {
      java.lang.management.OperatingSystemMXBean os =
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
        return sun.getTotalMemorySize() >> 20;
      }
    } catch (RuntimeException | LinkageError e) {
      // unknown: the small defaults
    }
    return 0;
  }

  /**
   * A leaf's default heap: RocksDB's memory is native, beside the heap, so leaves get a modest
   * one; 3 leaves, an aggregator and a broker fit a 24 GiB machine with room to spare, and a
   * 4 GiB one at the low end.
   */
  static String defaultLeafHeap() {
    long mib = memoryMib();
    return mib >= 16_384 ? "2g" : mib >= 8_192 ? "1g" : "384m";
  }

  static String defaultAggregatorHeap() {
    long mib = memoryMib();
    return mib >= 16_384 ? "2g" : mib >= 8_192 ? "1g" : "512m";
  }

  static String defaultKafkaHeap() {
    return memoryMib() >= 8_192 ? "1g" : "384m";
  }
}
