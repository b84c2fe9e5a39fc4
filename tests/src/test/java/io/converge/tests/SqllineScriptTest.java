package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sqlline.SqlLine;

/** A sqlline script runs non-interactively against the server and prints the expected rows. */
class SqllineScriptTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  static final List<String> SCRIPT = List.of(
      "select status, count(*) as n from orders group by status order by status;",
      "select \"_id\", \"customer.country\" from orders where \"_id\" in ('o1', 'o2')"
          + " order by \"_id\";",
      "select name from customers where credit >= 1800 order by name;");

  static void assertExpectedRows(String output) {
    assertTrue(output.contains("'cancelled','75'"), output);
    assertTrue(output.contains("'new','75'"), output);
    assertTrue(output.contains("'paid','75'"), output);
    assertTrue(output.contains("'shipped','75'"), output);
    assertTrue(output.contains("'o1','FR'"), output);
    assertTrue(output.contains("'o2','US'"), output);
    assertTrue(output.contains("'Customer 18'"), output);
    assertTrue(output.contains("'Customer 19'"), output);
  }

  @Test
  void scriptRunThroughSqllineDirectlyPrintsTheRows(@TempDir Path dir) throws IOException {
    Path script = dir.resolve("queries.sql");
    Files.write(script, SCRIPT, StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    SqlLine sqlline = new SqlLine();
    sqlline.setOutputStream(new PrintStream(out, true, StandardCharsets.UTF_8));
    sqlline.setErrorStream(new PrintStream(err, true, StandardCharsets.UTF_8));
    SqlLine.Status status = sqlline.begin(new String[] {
        "-d", ConvergeServerExtension.REMOTE_DRIVER,
        "-u", SERVER.jdbcUrl(), "-n", "", "-p", "",
        "--outputformat=csv", "--silent=true", "--showHeader=true",
        "-f", script.toString()},
        new ByteArrayInputStream(new byte[0]), false);
    String output = out.toString(StandardCharsets.UTF_8);
    System.out.println(output);
    System.out.println(err.toString(StandardCharsets.UTF_8));
    assertEquals(SqlLine.Status.OK, status, err.toString(StandardCharsets.UTF_8));
    assertExpectedRows(output);
    assertTrue(output.contains("'status','n'"), "header row: " + output);
  }

  @Test
  void scriptRunThroughTheSqlCommandPrintsTheRows(@TempDir Path dir) throws IOException {
    Path script = dir.resolve("queries.sql");
    Files.write(script, SCRIPT, StandardCharsets.UTF_8);
    Cli.Result r = Cli.run("sql", "--url", SERVER.jdbcUrl(), "-f", script.toString(),
        "--outputformat=csv");
    assertEquals(0, r.exit(), r.all());
    assertExpectedRows(r.out());
  }

  @Test
  void scriptWithABadStatementReportsTheReason(@TempDir Path dir) throws IOException {
    Path script = dir.resolve("bad.sql");
    Files.write(script, List.of("select * from nope;"), StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    SqlLine sqlline = new SqlLine();
    sqlline.setOutputStream(new PrintStream(out, true, StandardCharsets.UTF_8));
    sqlline.setErrorStream(new PrintStream(err, true, StandardCharsets.UTF_8));
    sqlline.begin(new String[] {
        "-d", ConvergeServerExtension.REMOTE_DRIVER, "-u", SERVER.jdbcUrl(), "-n", "", "-p", "",
        "--outputformat=csv", "-f", script.toString()},
        new ByteArrayInputStream(new byte[0]), false);
    String all = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertTrue(all.contains("Object 'nope' not found"), all);
  }
}
