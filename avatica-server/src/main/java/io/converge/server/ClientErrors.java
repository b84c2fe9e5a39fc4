package io.converge.server;

import io.converge.storage.guard.QueryAbortedException;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.type.SqlTypeName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client sees when a request fails: one line that starts with the reason, and a SQL state
 * that names the class of error. Calcite reports failures as chains of wrappers ("Error while
 * executing SQL ...", "while preparing SQL ...") around the cause, and a query the planner cannot
 * run as 100+ lines of planner state; clients showed those, or, for exceptions without a message,
 * "UnsupportedOperationException: (null exception message)" with state {@code 00000}.
 *
 * <p>SQL states: {@code 42S02} unknown table, {@code 42S22} unknown column, {@code 42000} other
 * syntax and validation errors, {@code 0A000} what Converge cannot run (planner) or does not
 * support, {@code 22012} division by zero, {@code 22018} a value that does not convert,
 * {@code 22003} numeric overflow, {@code 22000} other data errors, {@code HYT00} / {@code 57014}
 * / {@code 53200} query timed out / canceled / over its memory limit, {@code HY000} anything
 * else. States of SQL exceptions raised below (with a message) are kept.
 */
public final class ClientErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ClientErrors.class);

  static final String UNKNOWN_TABLE = "42S02";
  static final String UNKNOWN_COLUMN = "42S22";
  static final String SYNTAX_OR_VALIDATION = "42000";
  static final String NOT_SUPPORTED = "0A000";
  static final String DIVISION_BY_ZERO = "22012";
  static final String INVALID_CONVERSION = "22018";
  static final String OUT_OF_RANGE = "22003";
  static final String DATA_ERROR = "22000";
  static final String GENERAL = "HY000";
  /** Avatica's "no state" value, never sent with an error. */
  private static final String NO_STATE = "00000";
  /** Messages longer than this are cut (a reason is one line, not a dump). */
  private static final int MAX_MESSAGE = 600;

  private static final Pattern UNKNOWN_TABLE_MESSAGE =
      Pattern.compile("^(Object|Table) '.*' not found.*");
  private static final Pattern UNKNOWN_COLUMN_MESSAGE =
      Pattern.compile("^(Column '.*' not found|Unknown field|Unknown target column).*");
  /** A call in the planner's dump of the plan it could not implement: {@code NAME(}. */
  private static final Pattern CALL = Pattern.compile("([A-Z][A-Z0-9_]*)\\(");
  private static final Set<String> NOT_FUNCTIONS = Set.of("CAST", "ROW", "AND", "OR", "NOT",
      "SEARCH", "Sarg", "IS", "CASE", "ITEM");

  private ClientErrors() {}

  /** The error to send for {@code e} (an exception from a request, or an Error of generated code). */
  public static RuntimeException of(Throwable e) {
    if (e instanceof NoSuchConnectionException n) {
      return n; // Avatica's clients recognize it (missing connection)
    }
    if (e instanceof AvaticaRuntimeException a && usable(a.getErrorMessage(), a.getSqlState())) {
      return a;
    }
    LOG.debug("request failed", e);
    QueryAbortedException aborted = QueryAbortedException.in(e);
    if (aborted != null) {
      return error(aborted.getMessage(), aborted.sqlState());
    }
    SQLException sql = null;
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      root = t;
      if (t instanceof RelOptPlanner.CannotPlanException) {
        return error(cannotPlan(t.getMessage()), NOT_SUPPORTED);
      }
      if (t instanceof CalciteContextException c) {
        return validation(c);
      }
      if (t instanceof SqlParseException p) {
        return error("syntax error: " + firstLine(p.getMessage()), SYNTAX_OR_VALIDATION);
      }
      if (t instanceof NoSuchStatementException) {
        return error("the statement is closed or expired on the server", "26000");
      }
      if (t instanceof MissingResultsException) {
        return error("the statement has no open result (closed or expired on the server)",
            "24000");
      }
      if (sql == null && t instanceof SQLException se && usable(se.getMessage(), se.getSQLState())) {
        sql = se;
      }
    }
    if (root instanceof ArithmeticException) {
      String m = String.valueOf(root.getMessage());
      return m.contains("by zero") ? error("division by zero", DIVISION_BY_ZERO)
          : error("numeric overflow: " + m, OUT_OF_RANGE);
    }
    if (root instanceof NumberFormatException) {
      return error("cannot convert to a number: " + message(root), INVALID_CONVERSION);
    }
    if (root instanceof java.time.DateTimeException) {
      return error("invalid date or time: " + message(root), DATA_ERROR);
    }
    if (sql != null) {
      return error(reasonOf(sql.getMessage(), root), sql.getSQLState());
    }
    if (root instanceof UnsupportedOperationException) {
      return error("not supported: " + message(root), NOT_SUPPORTED);
    }
    // Calcite's validation without position, and Converge's own rejections
    if (root.getClass().getName().equals("org.apache.calcite.sql.validate.SqlValidatorException")
        || root instanceof org.apache.calcite.runtime.CalciteException) {
      return error(root.getMessage() == null ? message(root) : root.getMessage(),
          stateOfValidation(root.getMessage()));
    }
    return error(message(root), GENERAL);
  }

  /** A SQL exception's message, or, when it only wraps ("Error while ..."), the root's reason. */
  private static String reasonOf(String message, Throwable root) {
    if (message.startsWith("Error while ") || message.startsWith("while ")) {
      return root.getMessage() != null ? root.getMessage() : message;
    }
    return message;
  }

  private static RuntimeException validation(CalciteContextException c) {
    Throwable cause = c.getCause();
    String reason = cause != null && cause.getMessage() != null ? cause.getMessage()
        : c.getMessage();
    String where = c.getPosLine() > 0
        ? " (line " + c.getPosLine() + ", column " + c.getPosColumn() + ")" : "";
    return error(firstLine(reason) + where, stateOfValidation(reason));
  }

  private static String stateOfValidation(String reason) {
    if (reason == null) {
      return SYNTAX_OR_VALIDATION;
    }
    if (UNKNOWN_TABLE_MESSAGE.matcher(reason).matches()) {
      return UNKNOWN_TABLE;
    }
    if (UNKNOWN_COLUMN_MESSAGE.matcher(reason).matches()) {
      return UNKNOWN_COLUMN;
    }
    return SYNTAX_OR_VALIDATION;
  }

  /**
   * One line for the planner's "There are not enough rules ..." dump: the functions of the part
   * of the plan it could not implement, when it names any.
   */
  static String cannotPlan(String dump) {
    String text = dump == null ? "" : dump;
    int relevant = text.indexOf("the relevant part of the original plan is as follows");
    String part = relevant < 0 ? "" : text.substring(relevant);
    int end = part.indexOf("\n\n");
    part = end < 0 ? part : part.substring(0, end);
    Set<String> functions = new LinkedHashSet<>();
    Matcher m = CALL.matcher(part.replaceAll("Logical[A-Za-z]*\\(", ""));
    while (m.find()) {
      if (!NOT_FUNCTIONS.contains(m.group(1)) && SqlTypeName.get(m.group(1)) == null) {
        functions.add(m.group(1));
      }
    }
    Matcher rel = Pattern.compile("Missing conversion is (\\w+)").matcher(text);
    String node = rel.find() ? rel.group(1).replaceFirst("^Logical", "").toLowerCase() : null;
    String what = functions.isEmpty() ? "this query" : String.join(", ", functions);
    return "not supported: " + what + " (Converge cannot execute "
        + (node != null ? "this " + node : "it") + ")";
  }

  private static boolean usable(String message, String state) {
    return message != null && !message.isBlank() && state != null && state.length() == 5
        && !NO_STATE.equals(state);
  }

  /** The exception's message, or its kind and where it arose when it has none. */
  private static String message(Throwable t) {
    if (t.getMessage() != null && !t.getMessage().isBlank()) {
      return t.getMessage();
    }
    StackTraceElement[] at = t.getStackTrace();
    String where = at.length == 0 ? ""
        : " in " + at[0].getClassName().substring(at[0].getClassName().lastIndexOf('.') + 1)
            + "." + at[0].getMethodName();
    return t instanceof UnsupportedOperationException ? "operation" + where
        : "internal error (" + t.getClass().getSimpleName() + where + ")";
  }

  static String firstLine(String m) {
    if (m == null) {
      return "";
    }
    String line = m.strip();
    int nl = line.indexOf('\n');
    line = nl < 0 ? line : line.substring(0, nl).strip();
    return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE) + "...";
  }

  private static AvaticaRuntimeException error(String message, String state) {
    return new AvaticaRuntimeException(firstLine(message), -1, state, AvaticaSeverity.ERROR);
  }
}
