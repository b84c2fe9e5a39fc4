package io.converge.bench.ssb;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a generated table as files the engines load: NDJSON for Converge's {@code BulkLoader}
 * (one document per row, {@code _id} the row's key) and CSV with a header for DuckDB's {@code
 * COPY} and H2's {@code CSVREAD} (text always in double quotes: {@code d_date} holds commas).
 * Both are written in one pass over the generator.
 */
public final class SsbFiles {
  private SsbFiles() {}

  /** The two files of one table and the rows in them. */
  public record Written(SsbTable table, Path ndjson, Path csv, long rows, long ndjsonBytes,
      long csvBytes) {}

  public static Written write(SsbGenerator generator, SsbTable table, Path dir) throws IOException {
    Path ndjson = dir.resolve(table.name() + ".ndjson");
    Path csv = dir.resolve(table.name() + ".csv");
    List<SsbTable.Column> columns = table.columns();
    long[] rows = new long[1];
    try (Writer j = new BufferedWriter(Files.newBufferedWriter(ndjson, StandardCharsets.UTF_8),
        1 << 16);
        Writer c = new BufferedWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8),
            1 << 16)) {
      StringBuilder header = new StringBuilder();
      for (SsbTable.Column col : columns) {
        header.append(header.length() == 0 ? "" : ",").append(col.name());
      }
      c.write(header.append('\n').toString());
      StringBuilder jb = new StringBuilder(1024);
      StringBuilder cb = new StringBuilder(1024);
      generator.generate(table, row -> {
        jb.setLength(0);
        cb.setLength(0);
        jb.append("{\"_id\":").append(documentId(table, row));
        for (int i = 0; i < row.length; i++) {
          jb.append(",\"").append(columns.get(i).name()).append("\":");
          if (i > 0) {
            cb.append(',');
          }
          if (row[i] instanceof String s) {
            jsonString(jb, s);
            cb.append('"').append(s.replace("\"", "\"\"")).append('"');
          } else {
            jb.append(row[i]);
            cb.append(row[i]);
          }
        }
        j.write(jb.append("}\n").toString());
        c.write(cb.append('\n').toString());
        rows[0]++;
      });
    }
    return new Written(table, ndjson, csv, rows[0], Files.size(ndjson), Files.size(csv));
  }

  /**
   * The document id: the key of a dimension row, {@code orderkey * 8 + linenumber} of a line
   * order (unique: at most 7 lines), a JSON integer either way.
   */
  public static long documentId(SsbTable table, Object[] row) {
    if (table == SsbTable.LINEORDER || table == SsbTable.LINEORDER_FLAT) {
      return (Long) row[0] * 8 + (Integer) row[1];
    }
    return ((Number) row[0]).longValue();
  }

  private static void jsonString(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"' || ch == '\\') {
        b.append('\\');
      }
      b.append(ch);
    }
    b.append('"');
  }
}
