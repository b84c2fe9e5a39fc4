package io.converge.tests.slt;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A database the sqllogictest files run against: how to connect, how to start a file empty. */
interface SltEngine {
  /** Short name in the report ({@code Converge}, {@code DuckDB}). */
  String name();

  /** One line saying how it is reached (remote driver, embedded, in-memory). */
  String description();

  /** A connection on which the next file starts with no tables. */
  Connection openEmpty() throws SQLException;

  /** Converge through a JDBC URL (the Avatica remote driver, or an embedded Calcite URL). */
  static SltEngine converge(String url, Properties info, String description) {
    return new SltEngine() {
      @Override
      public String name() {
        return "Converge";
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public Connection openEmpty() throws SQLException {
        Connection c = DriverManager.getConnection(url, info);
        List<String> tables = new ArrayList<>();
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTables(null, "converge", "%", null)) {
          while (rs.next()) {
            tables.add(rs.getString("TABLE_NAME"));
          }
        }
        try (Statement s = c.createStatement()) {
          for (String t : tables) {
            s.execute("DROP TABLE \"" + t.replace("\"", "\"\"") + "\"");
          }
        }
        return c;
      }
    };
  }

  /** DuckDB in-process: a new in-memory database per file. */
  static SltEngine duckdb() {
    return new SltEngine() {
      @Override
      public String name() {
        return "DuckDB";
      }

      @Override
      public String description() {
        return "DuckDB " + version() + " in-process JDBC, a new in-memory database per file";
      }

      private String version() {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
          return c.getMetaData().getDatabaseProductVersion();
        } catch (SQLException e) {
          return "?";
        }
      }

      @Override
      public Connection openEmpty() throws SQLException {
        return DriverManager.getConnection("jdbc:duckdb:");
      }
    };
  }
}
