package io.converge.tests.slt;

import java.lang.reflect.Field;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import net.hydromatic.sqllogictest.ISqlTestOperation;
import net.hydromatic.sqllogictest.OptionsParser;
import net.hydromatic.sqllogictest.SltSqlStatement;
import net.hydromatic.sqllogictest.SltTestFile;
import net.hydromatic.sqllogictest.SqlTestQuery;
import net.hydromatic.sqllogictest.TestStatistics;
import net.hydromatic.sqllogictest.executors.JdbcExecutor;

/**
 * The runner's {@link JdbcExecutor} over an {@link SltEngine}, registered with
 * {@code OptionsParser.registerExecutor} and driven by {@code Main.execute}. Unlike the stock
 * executor it keeps going after a failed statement (counting it), gives every file a fresh empty
 * database, and records per file what ran, what passed and why the rest failed. Results are
 * checked by the runner's own {@code validate} (value formatting, sort modes, MD5 hashes).
 */
final class SltExecutor extends JdbcExecutor {
  private static final Pattern AVATICA_PREFIX = Pattern.compile("^Error -?\\d+ \\(\\w+\\) : ");
  private static final Pattern WHILE_EXECUTING =
      Pattern.compile("(?s)^Error while (executing|preparing) SQL \".*?\": ");
  private static final Pattern POSITION =
      Pattern.compile("From line \\d+, column \\d+ to line \\d+, column \\d+: ");
  private static final Pattern AT_POSITION = Pattern.compile(" at line \\d+, column \\d+");
  private static final Pattern NUMBER = Pattern.compile("\\b\\d+\\b");

  private final SltEngine engine;
  private final Consumer<SltFileResult> sink;

  SltExecutor(OptionsParser.SuppliedOptions options, SltEngine engine,
      Consumer<SltFileResult> sink) {
    super(options, "engine:" + engine.name(), "", "");
    this.engine = engine;
    this.sink = sink;
  }

  @Override
  public void establishConnection() throws SQLException {
    this.connection = engine.openEmpty();
  }

  @Override
  public TestStatistics execute(SltTestFile file, OptionsParser.SuppliedOptions options)
      throws SQLException {
    SltFileResult r = new SltFileResult(engine.name(), file.toString());
    sink.accept(r); // visible (as running) to a partial report from now on
    TestStatistics stats = new TestStatistics(false, 0);
    long start = System.nanoTime();
    establishConnection();
    try {
      for (ISqlTestOperation op : file.fileContents) {
        if (op instanceof SltSqlStatement st) {
          statement(st, r);
        } else if (op instanceof SqlTestQuery q) {
          query(q, r, stats);
        } else {
          throw new IllegalStateException("unknown test operation " + op);
        }
      }
    } finally {
      closeConnection();
    }
    r.millis = (System.nanoTime() - start) / 1_000_000;
    r.finished = true;
    return stats;
  }

  private void statement(SltSqlStatement st, SltFileResult r) {
    r.statements++;
    String error = null;
    try (Statement s = connection.createStatement()) {
      s.execute(st.statement);
    } catch (SQLException | RuntimeException e) {
      error = reason(e);
    }
    if (st.shouldPass && error != null) {
      r.statementsFailed++;
      r.fail("statement failed: " + error, st.statement);
    } else if (!st.shouldPass && error == null) {
      r.statementsFailed++;
      r.fail("statement should have failed but succeeded", st.statement);
    }
  }

  private void query(SqlTestQuery q, SltFileResult r, TestStatistics stats) {
    r.queries++;
    TestStatistics one = new TestStatistics(false, 0);
    String error = null;
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(q.getQuery())) {
      validate(q, rs, q.outputDescription, one);
    } catch (SQLException | RuntimeException | java.security.NoSuchAlgorithmException e) {
      error = reason(e);
    }
    if (error == null && one.getFailedTestCount() == 0 && one.getPassedTestCount() == 1) {
      r.queriesPassed++;
      stats.incPassed();
      return;
    }
    if (error == null) {
      error = firstFailure(one);
    }
    r.queriesFailed++;
    r.fail(error, q.getQuery());
    if (Boolean.getBoolean("converge.slt.verbose")) {
      System.out.println("SLT " + engine.name() + " " + r.file + ": " + error + " :: "
          + q.getQuery().replaceAll("\\s+", " "));
    }
    stats.addFailure(new TestStatistics.FailedTestDescription(q, error, "", null));
  }

  /** The runner keeps its failure list package-private; read the first one's message. */
  private static String firstFailure(TestStatistics s) {
    try {
      Field f = TestStatistics.class.getDeclaredField("failures");
      f.setAccessible(true);
      List<?> failures = (List<?>) f.get(s);
      if (!failures.isEmpty()) {
        String e = ((TestStatistics.FailedTestDescription) failures.get(0)).error;
        return generalize(e.lines().findFirst().orElse(e));
      }
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
    return "no result";
  }

  /** The first line of an error, without SQL text, positions and numbers. */
  static String reason(Throwable e) {
    Throwable t = e;
    String m = t.getMessage();
    while ((m == null || m.isBlank()) && t.getCause() != null) {
      t = t.getCause();
      m = t.getMessage();
    }
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    m = AVATICA_PREFIX.matcher(m).replaceFirst("");
    m = WHILE_EXECUTING.matcher(m).replaceFirst("");
    m = m.lines().findFirst().orElse(m);
    m = POSITION.matcher(m).replaceAll("");
    m = AT_POSITION.matcher(m).replaceAll("");
    if (m.length() > 160) {
      m = m.substring(0, 157) + "...";
    }
    return generalize(m);
  }

  private static String generalize(String m) {
    return NUMBER.matcher(m).replaceAll("N");
  }
}
