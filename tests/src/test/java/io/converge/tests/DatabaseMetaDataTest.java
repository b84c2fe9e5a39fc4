package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What JDBC tools (DBeaver, JetBrains DataGrip) call on connect and in their navigators,
 * through Avatica's remote driver: the navigator calls answer Converge's schemas, tables, columns
 * and types; the remaining calls answer (a result, possibly empty, or a default) and none throws
 * {@link SQLFeatureNotSupportedException}.
 */
class DatabaseMetaDataTest {
  @RegisterExtension
  static final ConvergeServerExtension SERVER = ConvergeServerExtension.withTestData();

  static Connection connection;
  static DatabaseMetaData md;

  @BeforeAll
  static void connect() throws SQLException {
    connection = SERVER.connect();
    md = connection.getMetaData();
  }

  private interface MetaCall<T> {
    T call() throws SQLException;
  }

  /** Runs a metadata call; a SQLFeatureNotSupportedException fails with the call's name. */
  private static <T> T answers(String what, MetaCall<T> call) throws SQLException {
    try {
      return call.call();
    } catch (SQLFeatureNotSupportedException e) {
      throw new AssertionError(what + " threw SQLFeatureNotSupportedException: " + e, e);
    }
  }

  private static List<Map<String, Object>> read(String what, MetaCall<ResultSet> call)
      throws SQLException {
    try (ResultSet rs = answers(what, call)) {
      assertNotNull(rs, what + " returned null instead of a result set");
      int n = rs.getMetaData().getColumnCount();
      List<Map<String, Object>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 1; c <= n; c++) {
          row.put(rs.getMetaData().getColumnLabel(c).toUpperCase(), rs.getObject(c));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  private static List<Object> values(List<Map<String, Object>> rows, String column) {
    List<Object> out = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      out.add(r.get(column));
    }
    return out;
  }

  // --- navigator calls with content --------------------------------------------------------

  @Test
  void getCatalogsListsTheOneUnnamedCatalog() throws SQLException {
    List<Map<String, Object>> rows = read("getCatalogs", () -> md.getCatalogs());
    assertEquals(1, rows.size(), "one catalog: " + rows);
    assertNull(rows.get(0).get("TABLE_CAT"));
  }

  @Test
  void getSchemasListsConverge() throws SQLException {
    List<Object> schemas = values(read("getSchemas()", () -> md.getSchemas()), "TABLE_SCHEM");
    assertTrue(schemas.contains("converge"), "schemas: " + schemas);
  }

  @Test
  void getSchemasWithAPatternListsOnlyMatchingSchemas() throws SQLException {
    assertEquals(List.of("converge"),
        values(read("getSchemas(null, conv%)", () -> md.getSchemas(null, "conv%")),
            "TABLE_SCHEM"));
    assertEquals(List.of("converge"),
        values(read("getSchemas(null, converge)", () -> md.getSchemas(null, "converge")),
            "TABLE_SCHEM"));
    assertEquals(List.of(),
        read("getSchemas(null, nope%)", () -> md.getSchemas(null, "nope%")));
  }

  @Test
  void getSchemasWithAPercentPatternListsEverySchema() throws SQLException {
    List<Object> schemas =
        values(read("getSchemas(null, %)", () -> md.getSchemas(null, "%")), "TABLE_SCHEM");
    assertTrue(schemas.contains("converge"), "schemas: " + schemas);
  }

  @Test
  void getTablesWithPercentPatternsListsTheCollections() throws SQLException {
    List<Map<String, Object>> rows =
        read("getTables(null, %, %, null)", () -> md.getTables(null, "%", "%", null));
    List<Object> names = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      if ("converge".equals(r.get("TABLE_SCHEM"))) {
        names.add(r.get("TABLE_NAME"));
      }
    }
    assertEquals(List.of("customers", "orders"), names.stream().sorted().toList());
  }

  @Test
  void getTablesWithTypeTableListsTheCollectionsAsTables() throws SQLException {
    List<Map<String, Object>> rows = read("getTables(null, converge, %, {TABLE})",
        () -> md.getTables(null, "converge", "%", new String[] {"TABLE"}));
    assertEquals(List.of("customers", "orders"),
        values(rows, "TABLE_NAME").stream().map(String::valueOf).sorted().toList());
    assertEquals(Set.of("TABLE"), Set.copyOf(values(rows, "TABLE_TYPE")));
  }

  @Test
  void getTablesWithNullSchemaAndNamePatternFindsOneCollection() throws SQLException {
    List<Map<String, Object>> rows =
        read("getTables(null, null, ord%, null)", () -> md.getTables(null, null, "ord%", null));
    assertEquals(List.of("orders"), values(rows, "TABLE_NAME"));
    assertEquals(List.of("converge"), values(rows, "TABLE_SCHEM"));
  }

  @Test
  void getColumnsListsEveryColumnOfACollectionWithItsType() throws SQLException {
    List<Map<String, Object>> rows = read("getColumns(null, converge, orders, %)",
        () -> md.getColumns(null, "converge", "orders", "%"));
    Map<Object, Object> types = new LinkedHashMap<>();
    for (Map<String, Object> r : rows) {
      types.put(r.get("COLUMN_NAME"), ((Number) r.get("DATA_TYPE")).intValue());
    }
    assertEquals(List.of("_id", "_event_time", "amount", "code", "coupon", "customer.country",
            "customer.id", "customer.vip", "quantity", "status", "tags"),
        new ArrayList<>(types.keySet()));
    assertEquals(Types.VARCHAR, types.get("_id"));
    assertEquals(Types.TIMESTAMP, types.get("_event_time"));
    assertEquals(Types.DOUBLE, types.get("amount"));
    assertEquals(Types.VARCHAR, types.get("code"), "mixed-type field: text form");
    assertEquals(Types.VARCHAR, types.get("coupon"));
    assertEquals(Types.VARCHAR, types.get("customer.country"));
    assertEquals(Types.BOOLEAN, types.get("customer.vip"));
    assertEquals(Types.BIGINT, types.get("quantity"));
    assertEquals(Types.VARCHAR, types.get("status"));
    assertEquals(Types.ARRAY, types.get("tags"));
  }

  @Test
  void getColumnsReportsTypeNamesAndOrdinalPositions() throws SQLException {
    List<Map<String, Object>> rows = read("getColumns(null, converge, customers, %)",
        () -> md.getColumns(null, "converge", "customers", "%"));
    assertEquals(List.of(1, 2, 3, 4, 5), values(rows, "ORDINAL_POSITION").stream()
        .map(v -> ((Number) v).intValue()).toList());
    for (Map<String, Object> r : rows) {
      assertNotNull(r.get("TYPE_NAME"), "TYPE_NAME of " + r.get("COLUMN_NAME"));
      assertEquals("customers", r.get("TABLE_NAME"));
    }
  }

  @Test
  void getColumnsWithPercentEverywhereCoversBothCollections() throws SQLException {
    List<Map<String, Object>> rows =
        read("getColumns(null, null, %, %)", () -> md.getColumns(null, null, "%", "%"));
    long orders = rows.stream().filter(r -> "orders".equals(r.get("TABLE_NAME"))).count();
    long customers = rows.stream().filter(r -> "customers".equals(r.get("TABLE_NAME"))).count();
    assertEquals(11, orders);
    assertEquals(5, customers);
  }

  @Test
  void getColumnsWithAColumnPatternFiltersColumns() throws SQLException {
    List<Map<String, Object>> rows = read("getColumns(null, converge, orders, customer.%)",
        () -> md.getColumns(null, "converge", "orders", "customer.%"));
    assertEquals(List.of("customer.country", "customer.id", "customer.vip"),
        values(rows, "COLUMN_NAME"));
  }

  @Test
  void getTableTypesIncludesTable() throws SQLException {
    assertTrue(values(read("getTableTypes", () -> md.getTableTypes()), "TABLE_TYPE")
        .contains("TABLE"));
  }

  @Test
  void getColumnsMarksTheKeyAndSystemColumnsNotNullable() throws SQLException {
    Map<Object, Object> nullable = new LinkedHashMap<>();
    for (Map<String, Object> r : read("getColumns(null, converge, customers, %)",
        () -> md.getColumns(null, "converge", "customers", "%"))) {
      nullable.put(r.get("COLUMN_NAME"), r.get("IS_NULLABLE"));
    }
    assertEquals(Map.of("_id", "NO", "_event_time", "NO", "country", "YES", "credit", "YES",
        "name", "YES"), nullable);
  }

  @Test
  void getTypeInfoListsTheTypesOfConvergeColumns() throws SQLException {
    Map<Object, Object> types = new LinkedHashMap<>();
    for (Map<String, Object> r : read("getTypeInfo", () -> md.getTypeInfo())) {
      types.put(r.get("TYPE_NAME"), ((Number) r.get("DATA_TYPE")).intValue());
    }
    assertEquals(Types.VARCHAR, types.get("VARCHAR"), types.toString());
    assertEquals(Types.BIGINT, types.get("BIGINT"), types.toString());
    assertEquals(Types.DOUBLE, types.get("DOUBLE"), types.toString());
    assertEquals(Types.BOOLEAN, types.get("BOOLEAN"), types.toString());
    assertEquals(Types.TIMESTAMP, types.get("TIMESTAMP"), types.toString());
    assertEquals(Types.ARRAY, types.get("ARRAY"), types.toString());
  }

  /**
   * Avatica's remote protocol has no primary-key request: its client answers an empty result
   * (with JDBC's columns). Converge's driver answers {@code _id} (ConvergeDriverMetaDataTest).
   */
  @Test
  void getPrimaryKeysThroughAvaticasDriverIsEmptyWithJdbcsColumns() throws SQLException {
    try (ResultSet rs = md.getPrimaryKeys(null, "converge", "orders")) {
      assertEquals(List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ",
          "PK_NAME"), labels(rs));
      assertFalse(rs.next());
    }
  }

  @Test
  void thereAreNoForeignKeys() throws SQLException {
    assertEquals(List.of(),
        read("getImportedKeys", () -> md.getImportedKeys(null, "converge", "orders")));
    assertEquals(List.of(),
        read("getExportedKeys", () -> md.getExportedKeys(null, "converge", "orders")));
    assertEquals(List.of(), read("getCrossReference", () -> md.getCrossReference(null,
        "converge", "customers", null, "converge", "orders")));
  }

  @Test
  void getIndexInfoHasJdbcsColumns() throws SQLException {
    try (ResultSet rs = md.getIndexInfo(null, "converge", "orders", false, true)) {
      assertEquals(List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "NON_UNIQUE",
          "INDEX_QUALIFIER", "INDEX_NAME", "TYPE", "ORDINAL_POSITION", "COLUMN_NAME",
          "ASC_OR_DESC", "CARDINALITY", "PAGES", "FILTER_CONDITION"), labels(rs));
    }
  }

  private static List<String> labels(ResultSet rs) throws SQLException {
    List<String> labels = new ArrayList<>();
    for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
      labels.add(rs.getMetaData().getColumnLabel(c).toUpperCase());
    }
    return labels;
  }

  @Test
  void getProceduresAnswers() throws SQLException {
    read("getProcedures", () -> md.getProcedures(null, "%", "%"));
    read("getProcedureColumns", () -> md.getProcedureColumns(null, "%", "%", "%"));
  }

  @Test
  void getFunctionsAnswers() throws SQLException {
    read("getFunctions", () -> md.getFunctions(null, "%", "%"));
    read("getFunctionColumns", () -> md.getFunctionColumns(null, "%", "%", "%"));
  }

  @Test
  void otherNavigatorResultSetsAnswer() throws SQLException {
    read("getUDTs", () -> md.getUDTs(null, "%", "%", null));
    read("getSuperTypes", () -> md.getSuperTypes(null, "%", "%"));
    read("getSuperTables", () -> md.getSuperTables(null, "%", "%"));
    read("getAttributes", () -> md.getAttributes(null, "%", "%", "%"));
    read("getBestRowIdentifier", () -> md.getBestRowIdentifier(null, "converge", "orders",
        DatabaseMetaData.bestRowSession, true));
    read("getVersionColumns", () -> md.getVersionColumns(null, "converge", "orders"));
    read("getColumnPrivileges", () -> md.getColumnPrivileges(null, "converge", "orders", "%"));
    read("getTablePrivileges", () -> md.getTablePrivileges(null, "converge", "%"));
    read("getPseudoColumns", () -> md.getPseudoColumns(null, "converge", "%", "%"));
    read("getClientInfoProperties", () -> md.getClientInfoProperties());
  }

  // --- scalar properties -------------------------------------------------------------------

  /** Avatica's client names itself (the product name is the client driver's, not the server's). */
  @Test
  void productAndDriverAreNamed() throws SQLException {
    assertEquals("Avatica", answers("getDatabaseProductName", () -> md.getDatabaseProductName()));
    assertNotNull(answers("getDatabaseProductVersion", () -> md.getDatabaseProductVersion()));
    assertEquals("Avatica Remote JDBC Driver", answers("getDriverName", () -> md.getDriverName()));
    assertNotNull(answers("getDriverVersion", () -> md.getDriverVersion()));
    answers("getDatabaseMajorVersion", () -> md.getDatabaseMajorVersion());
    assertEquals(4, answers("getJDBCMajorVersion", () -> md.getJDBCMajorVersion()));
  }

  /** Every statement commits on its own: no transactions, isolation NONE. */
  @Test
  void transactionPropertiesDescribeAnAutoCommitDatabase() throws SQLException {
    assertFalse(md.supportsTransactions());
    assertEquals(Connection.TRANSACTION_NONE, md.getDefaultTransactionIsolation());
  }

  @Test
  void identifierQuoteIsTheDoubleQuote() throws SQLException {
    assertEquals("\"", answers("getIdentifierQuoteString", () -> md.getIdentifierQuoteString()));
  }

  @Test
  void connectionStateGettersAnswer() throws SQLException {
    assertNull(answers("getCatalog", () -> connection.getCatalog()));
    assertEquals("converge", answers("getSchema", () -> connection.getSchema()));
    assertTrue(answers("getAutoCommit", () -> connection.getAutoCommit()));
    assertFalse(answers("isReadOnly", () -> connection.isReadOnly()));
    assertEquals(Connection.TRANSACTION_NONE,
        answers("getTransactionIsolation", () -> connection.getTransactionIsolation()));
    int holdability = answers("getHoldability", () -> connection.getHoldability());
    assertTrue(holdability == ResultSet.HOLD_CURSORS_OVER_COMMIT
        || holdability == ResultSet.CLOSE_CURSORS_AT_COMMIT, "holdability " + holdability);
    assertNull(answers("getWarnings", () -> connection.getWarnings()));
    assertNotNull(answers("getClientInfo", () -> connection.getClientInfo()));
    assertTrue(answers("isValid", () -> connection.isValid(5)));
  }

  /** Zero-argument methods returning a value: every supportsX, getMaxX, string lists, etc. */
  @TestFactory
  Stream<DynamicTest> everyPropertyMethodAnswers() {
    Set<String> skip = Set.of("getConnection", "unwrap", "isWrapperFor");
    return Arrays.stream(DatabaseMetaData.class.getMethods())
        .filter(m -> m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> !skip.contains(m.getName()))
        .sorted(Comparator.comparing(Method::getName))
        .map(m -> DynamicTest.dynamicTest(m.getName() + " answers", () -> invoke(m)));
  }

  /** Methods tools call with arguments: supportsConvert, result set types, isolation levels. */
  @TestFactory
  Stream<DynamicTest> everyParameterizedSupportsMethodAnswers() {
    int[] rsTypes = {ResultSet.TYPE_FORWARD_ONLY, ResultSet.TYPE_SCROLL_INSENSITIVE};
    int[] concurrency = {ResultSet.CONCUR_READ_ONLY};
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(call("supportsConvert(INTEGER, VARCHAR)",
        () -> md.supportsConvert(Types.INTEGER, Types.VARCHAR)));
    tests.add(call("supportsTransactionIsolationLevel(READ_COMMITTED)",
        () -> md.supportsTransactionIsolationLevel(Connection.TRANSACTION_READ_COMMITTED)));
    tests.add(call("supportsResultSetHoldability",
        () -> md.supportsResultSetHoldability(ResultSet.HOLD_CURSORS_OVER_COMMIT)));
    for (int t : rsTypes) {
      tests.add(call("supportsResultSetType(" + t + ")", () -> md.supportsResultSetType(t)));
      for (int c : concurrency) {
        tests.add(call("supportsResultSetConcurrency(" + t + ")",
            () -> md.supportsResultSetConcurrency(t, c)));
      }
      tests.add(call("ownUpdatesAreVisible(" + t + ")", () -> md.ownUpdatesAreVisible(t)));
      tests.add(call("ownDeletesAreVisible(" + t + ")", () -> md.ownDeletesAreVisible(t)));
      tests.add(call("ownInsertsAreVisible(" + t + ")", () -> md.ownInsertsAreVisible(t)));
      tests.add(call("othersUpdatesAreVisible(" + t + ")", () -> md.othersUpdatesAreVisible(t)));
      tests.add(call("othersDeletesAreVisible(" + t + ")", () -> md.othersDeletesAreVisible(t)));
      tests.add(call("othersInsertsAreVisible(" + t + ")", () -> md.othersInsertsAreVisible(t)));
      tests.add(call("updatesAreDetected(" + t + ")", () -> md.updatesAreDetected(t)));
      tests.add(call("deletesAreDetected(" + t + ")", () -> md.deletesAreDetected(t)));
      tests.add(call("insertsAreDetected(" + t + ")", () -> md.insertsAreDetected(t)));
    }
    return tests.stream();
  }

  /**
   * Avatica's client-side {@code AvaticaDatabaseMetaData} leaves some methods as
   * {@code throw HELPER.todo()} (a RuntimeException "todo: implement this method"). No server
   * can change that, so such a call is reported as aborted (skipped, with the reason) rather
   * than failed; a SQLFeatureNotSupportedException still fails.
   */
  private static DynamicTest call(String name, MetaCall<?> c) {
    return DynamicTest.dynamicTest(name + " answers", () -> {
      try {
        answers(name, c);
      } catch (RuntimeException e) {
        if (isAvaticaClientTodo(e)) {
          Assumptions.abort(name + " is not implemented by the Avatica client driver: " + e);
        }
        throw e;
      }
    });
  }

  static boolean isAvaticaClientTodo(Throwable e) {
    return e instanceof RuntimeException && "todo: implement this method".equals(e.getMessage())
        && Arrays.stream(e.getStackTrace()).anyMatch(
            f -> f.getClassName().equals("org.apache.calcite.avatica.AvaticaDatabaseMetaData"));
  }

  private static void invoke(Method m) throws Throwable {
    try {
      Object result = m.invoke(md);
      if (result instanceof ResultSet rs) {
        try (rs) {
          while (rs.next()) {
            // read through
          }
        }
      }
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLFeatureNotSupportedException) {
        fail(m.getName() + " threw SQLFeatureNotSupportedException: " + cause, cause);
      }
      if (isAvaticaClientTodo(cause)) {
        Assumptions.abort(m.getName() + " is not implemented by the Avatica client driver");
      }
      if (cause instanceof UnsupportedOperationException) {
        fail(m.getName() + " threw UnsupportedOperationException: " + cause, cause);
      }
      throw cause;
    }
  }
}
