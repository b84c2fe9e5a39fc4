package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HikariCP and Apache Commons DBCP2 in front of a real server, as applications use them: 8
 * threads borrow a connection, run a query, check its answer and return the connection, a few
 * hundred times each, through a pool smaller than the thread count. With auto-commit off, the
 * pools roll back (DBCP2 on every return, HikariCP when a query left the connection dirty) and
 * reset auto-commit; every cycle must succeed.
 */
class ConnectionPoolTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  static final int THREADS = 8;
  static final int CYCLES = 200;
  static final int POOL_SIZE = 4;
  static final long LIMIT_SECONDS = 240;

  private static HikariDataSource hikari(boolean autoCommit) {
    HikariConfig config = new HikariConfig();
    config.setDriverClassName(ConvergeServerExtension.REMOTE_DRIVER);
    config.setJdbcUrl(SERVER.jdbcUrl());
    config.setMaximumPoolSize(POOL_SIZE);
    config.setAutoCommit(autoCommit);
    config.setConnectionTimeout(30_000);
    config.setPoolName("converge-hikari-" + autoCommit);
    return new HikariDataSource(config);
  }

  private static BasicDataSource dbcp2(boolean autoCommit) {
    BasicDataSource ds = new BasicDataSource();
    ds.setDriverClassName(ConvergeServerExtension.REMOTE_DRIVER);
    ds.setUrl(SERVER.jdbcUrl());
    ds.setMaxTotal(POOL_SIZE);
    ds.setDefaultAutoCommit(autoCommit);
    ds.setRollbackOnReturn(true);
    ds.setAutoCommitOnReturn(true);
    ds.setTestOnBorrow(true);
    ds.setValidationQuery("values 1");
    return ds;
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void hikariServesEveryCycle(boolean autoCommit) throws Exception {
    try (HikariDataSource ds = hikari(autoCommit)) {
      run(ds, autoCommit);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void dbcp2ServesEveryCycle(boolean autoCommit) throws Exception {
    try (BasicDataSource ds = dbcp2(autoCommit)) {
      run(ds, autoCommit);
      assertEquals(0, ds.getNumActive(), "every connection returned");
    }
  }

  /** One borrow/query/check/return cycle; the query depends on the cycle number. */
  private static void cycle(DataSource ds, boolean autoCommit, int thread, int i)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      assertEquals(autoCommit, c.getAutoCommit(), "the pool's setting");
      switch (i % 3) {
        case 0 -> {
          String status = TestData.STATUSES[(thread + i) % 4];
          try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
              "select count(*) from orders where status = '" + status + "'")) {
            assertTrue(rs.next());
            assertEquals(TestData.ORDER_COUNT / 4, rs.getLong(1), status);
          }
        }
        case 1 -> {
          int quantity = (thread + i) % 7 + 1;
          try (PreparedStatement p = c.prepareStatement(
              "select count(*) from orders where quantity = ?")) {
            p.setLong(1, quantity);
            try (ResultSet rs = p.executeQuery()) {
              assertTrue(rs.next());
              assertEquals(expectedWithQuantity(quantity), rs.getLong(1), "quantity " + quantity);
            }
          }
        }
        default -> {
          int k = (thread * CYCLES + i) % TestData.CUSTOMER_COUNT;
          assertEquals(List.of(Sql.row("Customer " + k, (long) k * 100)), Sql.rows(c,
              "select name, credit from customers where \"_id\" = 'c" + k + "'"));
        }
      }
      if (!autoCommit && i % 2 == 0) {
        c.commit(); // an application ending its unit of work
      }
    }
  }

  private static long expectedWithQuantity(int quantity) {
    long n = 0;
    for (int i = 1; i <= TestData.ORDER_COUNT; i++) {
      if (i % 7 + 1 == quantity) {
        n++;
      }
    }
    return n;
  }

  private static void run(DataSource ds, boolean autoCommit) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    AtomicInteger done = new AtomicInteger();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < CYCLES && errors.size() < 10; i++) {
            try {
              cycle(ds, autoCommit, thread, i);
              done.incrementAndGet();
            } catch (Throwable e) {
              errors.add(e);
            }
          }
        }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
      for (Future<?> f : futures) {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    if (!errors.isEmpty()) {
      AssertionError failure = new AssertionError(errors.size() + " cycles failed, first: "
          + errors.peek());
      errors.forEach(failure::addSuppressed);
      throw failure;
    }
    assertEquals(THREADS * CYCLES, done.get());
  }
}
