package io.converge.bench.ssb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

/**
 * A peer engine in this JVM over its own files: DuckDB or H2, each an on-disk database in a
 * directory of its own (so its size on disk is measurable), loaded from the generated CSV files.
 */
final class SsbSqlEngine implements AutoCloseable {
  private final String name;
  private final Path dir;
  private final Connection connection;
  private final boolean h2;

  private SsbSqlEngine(String name, Path dir, Connection connection, boolean h2) {
    this.name = name;
    this.dir = dir;
    this.connection = connection;
    this.h2 = h2;
  }

  /** DuckDB's JDBC driver, on-disk database file, default settings (threads = cores). */
  static SsbSqlEngine duckDb(Path dir) throws IOException, SQLException {
    Files.createDirectories(dir);
    Connection c = DriverManager.getConnection(
        "jdbc:duckdb:" + dir.resolve("ssb.duckdb").toAbsolutePath());
    return new SsbSqlEngine("DuckDB", dir, c, false);
  }

  /**
   * H2 in embedded file mode with a 1 GB page cache (its default, 64 MB, would make it a disk
   * benchmark) and its result cache off: by default H2 answers a repeated identical query from
   * the previous result without running it.
   */
  static SsbSqlEngine h2(Path dir) throws IOException, SQLException {
    Files.createDirectories(dir);
    Connection c = DriverManager.getConnection("jdbc:h2:file:"
        + dir.resolve("ssb").toAbsolutePath() + ";CACHE_SIZE=1048576", "sa", "");
    try (Statement s = c.createStatement()) {
      s.execute("SET OPTIMIZE_REUSE_RESULTS 0");
    }
    return new SsbSqlEngine("H2", dir, c, true);
  }

  String name() {
    return name;
  }

  Connection connection() {
    return connection;
  }

  /**
   * Creates the table and loads its CSV file; returns the wall-clock nanoseconds. Dimension
   * tables get their key as primary key on H2 only: H2 joins by nested loops and needs the index
   * for the star queries; DuckDB hash-joins and SSB runs of it declare no keys.
   */
  long load(SsbFiles.Written file) throws SQLException {
    SsbTable table = file.table();
    long start = System.nanoTime();
    try (Statement s = connection.createStatement()) {
      s.execute(createTable(table, h2 && SsbTable.STAR.contains(table)
          && table != SsbTable.LINEORDER));
      String csv = file.csv().toAbsolutePath().toString().replace("'", "''");
      if (h2) {
        s.execute("insert into " + table.name() + " select * from csvread('" + csv
            + "', null, 'charset=UTF-8')");
      } else {
        s.execute("copy " + table.name() + " from '" + csv + "' (header true)");
      }
    }
    return System.nanoTime() - start;
  }

  /** After the last table: DuckDB checkpoints to its file, H2 gathers optimizer statistics. */
  long finishLoad() throws SQLException {
    long start = System.nanoTime();
    try (Statement s = connection.createStatement()) {
      s.execute(h2 ? "ANALYZE" : "CHECKPOINT");
      if (h2) {
        s.execute("CHECKPOINT SYNC");
      }
    }
    return System.nanoTime() - start;
  }

  static String createTable(SsbTable table, boolean primaryKey) {
    StringBuilder b = new StringBuilder("create table ").append(table.name()).append(" (");
    for (int i = 0; i < table.columns().size(); i++) {
      SsbTable.Column c = table.columns().get(i);
      b.append(i == 0 ? "" : ", ").append(c.name()).append(' ').append(switch (c.type()) {
        case INT -> "integer";
        case BIGINT -> "bigint";
        case TEXT -> "varchar";
      });
    }
    if (primaryKey) {
      b.append(", primary key (").append(table.columns().get(0).name()).append(')');
    }
    return b.append(')').toString();
  }

  long sizeOnDisk() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
