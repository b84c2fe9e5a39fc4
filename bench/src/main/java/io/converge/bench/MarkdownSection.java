package io.converge.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes or replaces one {@code ## Heading} section of a markdown file, keeping the rest. */
public final class MarkdownSection {
  private MarkdownSection() {}

  public static void write(Path file, String heading, String body) throws IOException {
    String title = "## " + heading;
    String section = title + "\n\n" + body.strip() + "\n";
    String text;
    if (Files.exists(file)) {
      text = replace(Files.readString(file, StandardCharsets.UTF_8), title, section);
    } else {
      text = "# Converge benchmarks\n\n"
          + "Figures written by the checked-in benchmarks (`bin/converge bench ...`, see\n"
          + "`bench/README.md`). Each section is replaced by the next run of its benchmark.\n\n"
          + section;
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** {@code text} with the section titled {@code title} replaced, or {@code section} appended. */
  static String replace(String text, String title, String section) {
    String[] lines = text.split("\n", -1);
    int start = -1;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].strip().equals(title)) {
        start = i;
        break;
      }
    }
    if (start < 0) {
      String sep = text.isEmpty() || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n";
      return text + sep + section;
    }
    int end = lines.length;
    for (int i = start + 1; i < lines.length; i++) {
      if (lines[i].startsWith("## ") || lines[i].startsWith("# ")) {
        end = i;
        break;
      }
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < start; i++) {
      b.append(lines[i]).append('\n');
    }
    b.append(section);
    if (end < lines.length) {
      b.append('\n');
      for (int i = end; i < lines.length; i++) {
        b.append(lines[i]);
        if (i < lines.length - 1) {
          b.append('\n');
        }
      }
    }
    return b.toString();
  }
}
