package io.converge.cluster.chaos;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact command line of a running process, read from {@code /proc/<pid>/cmdline} (whole,
 * unlike {@code ProcessHandle.Info}, which Linux may cut), so that a killed process can be
 * started again as it was.
 *
 * @param args the program and its arguments
 */
record ProcessCommandLine(List<String> args) {

  ProcessCommandLine {
    args = List.copyOf(args);
  }

  /** The command line of {@code pid}; fails when the process is gone or not readable. */
  static ProcessCommandLine of(long pid) throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
    List<String> args = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < raw.length) {
      args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
    }
    if (args.isEmpty()) {
      throw new IOException("process " + pid + " has no command line (a zombie?)");
    }
    return new ProcessCommandLine(args);
  }

  /** Starts the command again, its output appended to {@code log}, its input empty. */
  Process start(Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(args);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return pb.start();
  }

  /** The value after {@code option}, or null. */
  String valueOf(String option) {
    int i = args.indexOf(option);
    return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
  }

  /** The arguments strictly between the first {@code from} and the first {@code to} after it. */
  List<String> between(int from, String to) {
    int end = args.indexOf(to);
    return end < 0 || end <= from ? List.of() : args.subList(from + 1, end);
  }
}
