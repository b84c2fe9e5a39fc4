package io.converge.bench.ssb;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the SSB benchmark takes from the rest of the bench module: the machine's description,
 * its load average and the markdown section writer. {@code BenchMain} supplies its shared
 * helpers (package-private in {@code io.converge.bench}); tests supply stand-ins.
 */
public interface SsbEnvironment {
  /** Cores, CPU, heap, Java and OS, one line. */
  String machine();

  /** One-minute load average, or a negative number when unknown. */
  double loadAverage();

  /** Writes or replaces the {@code ## heading} section of a markdown file. */
  void writeSection(Path file, String heading, String body) throws IOException;
}
