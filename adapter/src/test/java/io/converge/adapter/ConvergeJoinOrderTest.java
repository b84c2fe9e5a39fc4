package io.converge.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many-way joins written as FROM lists (sqllogictest's {@code select5} shape) are ordered by
 * {@link ConvergeJoinOrder}: connected tables joined on their conditions, no cross products, and
 * the same rows as a nested-loop evaluation of the query.
 */
class ConvergeJoinOrderTest {
  private static final int[] TABLES = {60, 5, 28, 36, 32, 27, 11, 12};
  private static final int ROWS = 10;

  @TempDir
  Path dir;
  Connection c;
  /** a, b of each table's rows, as inserted. */
  final int[][][] rows = new int[TABLES.length][ROWS][2];

  @BeforeEach
  void load() throws SQLException {
    c = ConvergeJdbc.connect(dir);
    SplittableRandom r = new SplittableRandom(3);
    try (Statement s = c.createStatement()) {
      for (int t = 0; t < TABLES.length; t++) {
        int n = TABLES[t];
        s.execute("CREATE TABLE t" + n + "(a" + n + " INTEGER, b" + n + " INTEGER, x" + n
            + " VARCHAR(40))");
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < ROWS; i++) {
          rows[t][i][0] = i % 4 + 1;
          rows[t][i][1] = r.nextInt(1, 5); // few distinct values: the joins have rows
          values.append(i == 0 ? "" : ", ").append("(").append(rows[t][i][0]).append(", ")
              .append(rows[t][i][1]).append(", 'table t").append(n).append(" row ")
              .append(i + 1).append("')");
        }
        s.execute("INSERT INTO t" + n + " VALUES " + values);
      }
    }
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
    ConvergeSchemaFactory.release(dir);
  }

  @Test
  void anEightTableFromListJoinsOnItsConditionsAndReturnsTheNestedLoopRows() throws SQLException {
    // t60.a=2, t36.b=t32.a, t28.b=t60.a, t28.a=t32.b, t27.a=t5.b, t36.a=t27.b, t11.a=t12.b,
    // t11.b=t5.a
    String sql = "SELECT a60, a5, a28, a36, a32, a27, a11, a12"
        + " FROM t60, t5, t28, t36, t32, t27, t11, t12"
        + " WHERE a60 = 2 AND b36 = a32 AND b28 = a60 AND a28 = b32 AND a27 = b5 AND a36 = b27"
        + " AND a11 = b12 AND b11 = a5";
    String plan = plan(sql);
    assertFalse(plan.contains("condition=[true]"), "a cross product in\n" + plan);

    List<String> expected = new ArrayList<>();
    int[][] t60 = rows[0];
    int[][] t5 = rows[1];
    int[][] t28 = rows[2];
    int[][] t36 = rows[3];
    int[][] t32 = rows[4];
    int[][] t27 = rows[5];
    int[][] t11 = rows[6];
    int[][] t12 = rows[7];
    for (int[] r60 : t60) {
      for (int[] r5 : t5) {
        for (int[] r28 : t28) {
          for (int[] r36 : t36) {
            for (int[] r32 : t32) {
              for (int[] r27 : t27) {
                if (r60[0] != 2 || r36[1] != r32[0] || r28[1] != r60[0] || r28[0] != r32[1]
                    || r27[0] != r5[1] || r36[0] != r27[1]) {
                  continue;
                }
                for (int[] r11 : t11) {
                  for (int[] r12 : t12) {
                    if (r11[0] == r12[1] && r11[1] == r5[0]) {
                      expected.add(r60[0] + "," + r5[0] + "," + r28[0] + "," + r36[0] + ","
                          + r32[0] + "," + r27[0] + "," + r11[0] + "," + r12[0]);
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    List<String> actual = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
          b.append(i == 1 ? "" : ",").append(rs.getInt(i));
        }
        actual.add(b.toString());
      }
    }
    assertFalse(expected.isEmpty(), "the data should give rows");
    expected.sort(null);
    actual.sort(null);
    assertEquals(expected, actual);
  }

  private String plan(String sql) throws SQLException {
    StringBuilder b = new StringBuilder();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN PLAN FOR "
        + sql)) {
      while (rs.next()) {
        b.append(rs.getString(1)).append('\n');
      }
    }
    return b.toString();
  }
}
