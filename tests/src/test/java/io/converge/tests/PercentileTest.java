package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exact {@code PERCENTILE_CONT} and {@code PERCENTILE_DISC WITHIN GROUP (ORDER BY x [DESC])}
 * over DOUBLE values (an integer column through a cast), checked against TestData. Other percentile forms are
 * refused in one line (ClientErrorsTest).
 */
class PercentileTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  static Connection connection;

  @BeforeAll
  static void connect() throws SQLException {
    connection = SERVER.connect();
  }

  private static double[] amounts(String status) {
    List<Double> v = new ArrayList<>();
    for (int i = 1; i <= TestData.ORDER_COUNT; i++) {
      if (status == null || TestData.STATUSES[i % 4].equals(status)) {
        v.add(i + 0.25 * (i % 4));
      }
    }
    return v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  static double cont(double[] sorted, double p) {
    double position = p * (sorted.length - 1);
    int lo = (int) Math.floor(position);
    int hi = (int) Math.ceil(position);
    return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
  }

  static double disc(double[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
  }

  @Test
  void continuousAndDiscreteOverAllRows() throws SQLException {
    double[] a = amounts(null);
    assertEquals(List.of(Sql.row(cont(a, 0.5), cont(a, 0.9), disc(a, 0.5), disc(a, 0.1))),
        Sql.rows(connection, "select percentile_cont(0.5) within group (order by amount),"
            + " percentile_cont(0.9) within group (order by amount),"
            + " percentile_disc(0.5) within group (order by amount),"
            + " percentile_disc(0.1) within group (order by amount) from orders"));
  }

  @Test
  void perGroupWithOtherAggregates() throws SQLException {
    List<List<Object>> expected = new ArrayList<>();
    String[] statuses = TestData.STATUSES.clone();
    Arrays.sort(statuses);
    for (String s : statuses) {
      double[] a = amounts(s);
      expected.add(Sql.row(s, 75L, cont(a, 0.25)));
    }
    assertEquals(expected, Sql.rows(connection, "select status, count(*),"
        + " percentile_cont(0.25) within group (order by amount) from orders"
        + " group by status order by status"));
  }

  @Test
  void anEmptyGroupAnswersNull() throws SQLException {
    assertEquals(List.of(Sql.row(null, null)), Sql.rows(connection,
        "select percentile_cont(0.5) within group (order by amount),"
            + " percentile_disc(0.5) within group (order by amount)"
            + " from orders where status = 'nope'"));
  }

  @Test
  void descendingOrderAndIntegerColumns() throws SQLException {
    double[] a = amounts(null);
    double[] q = new double[TestData.ORDER_COUNT];
    for (int i = 1; i <= TestData.ORDER_COUNT; i++) {
      q[i - 1] = i % 7 + 1;
    }
    Arrays.sort(q);
    double[] descending = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      descending[i] = a[a.length - 1 - i];
    }
    assertEquals(List.of(Sql.row(cont(descending, 0.2), disc(descending, 0.2))),
        Sql.rows(connection, "select percentile_cont(0.2) within group (order by amount desc),"
            + " percentile_disc(0.2) within group (order by amount desc) from orders"));
    assertEquals(List.of(Sql.row(cont(q, 0.3))), Sql.rows(connection,
        "select percentile_cont(0.3) within group (order by cast(quantity as double))"
            + " from orders"));
  }
}
