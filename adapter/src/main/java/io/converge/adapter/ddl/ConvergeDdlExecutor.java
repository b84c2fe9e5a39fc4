package io.converge.adapter.ddl;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeJdbc;
import io.converge.adapter.ConvergeSchema;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.ConvergeStore;
import io.converge.storage.schema.DeclaredColumn;
import io.converge.storage.schema.DeclaredSchema;
import io.converge.storage.schema.DeclaredType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.jdbc.CalcitePrepare;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.server.DdlExecutorImpl;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.ddl.SqlColumnDeclaration;
import org.apache.calcite.sql.ddl.SqlCreateTable;
import org.apache.calcite.sql.ddl.SqlDropTable;
import org.apache.calcite.sql.ddl.SqlKeyConstraint;

/**
 * Executes Converge's DDL against the store behind the connection's Converge schema:
 * <ul>
 *   <li>{@code CREATE TABLE}: a new, empty collection with a declared schema (stored durably in
 *       the catalog; see {@link DeclaredSchema} for how values are coerced and checked). Names
 *       match existing collections case-insensitively, so {@code CREATE TABLE T1} fails when
 *       {@code t1} exists.
 *   <li>{@code DROP TABLE}: removes the collection (declared or not) and every key of it.
 *   <li>{@code CREATE INDEX}: checks that the table and columns exist, nothing else: every field
 *       of every collection is already in the inverted index and the column store.
 *   <li>{@code DROP INDEX}: accepted, nothing to do (index names are not recorded).
 * </ul>
 * Called by Calcite ({@code CalcitePrepareImpl.executeDdl}) through
 * {@link ConvergeSqlParserImpl#FACTORY}; errors surface as the statement's SQLException.
 */
public final class ConvergeDdlExecutor extends DdlExecutorImpl {
  public static final ConvergeDdlExecutor INSTANCE = new ConvergeDdlExecutor();

  private ConvergeDdlExecutor() {}

  /** Reflectively called by {@link DdlExecutorImpl#executeDdl}. */
  public void execute(SqlCreateTable create, CalcitePrepare.Context context) {
    ConvergeSchema schema = schema(context, create.name);
    String name = last(create.name);
    if (create.query != null) {
      throw new IllegalArgumentException("CREATE TABLE ... AS SELECT is not supported");
    }
    String existing = find(schema.store(), name);
    if (existing != null) {
      if (create.ifNotExists) {
        return;
      }
      throw new IllegalArgumentException("table '" + existing + "' already exists");
    }
    schema.store().create(name, declaredSchema(create));
  }

  /**
   * The declared schema of a {@code CREATE TABLE} (columns, types, primary key), checked; shared
   * with the cluster's DDL, which stores it in the cluster's catalog instead.
   */
  public static DeclaredSchema declaredSchema(SqlCreateTable create) {
    String name = last(create.name);
    if (create.query != null) {
      throw new IllegalArgumentException("CREATE TABLE ... AS SELECT is not supported");
    }
    List<DeclaredColumn> columns = new ArrayList<>();
    List<SqlIdentifier> keyNames = new ArrayList<>();
    SqlNodeList list = create.columnList;
    if (list == null) {
      throw new IllegalArgumentException("CREATE TABLE " + name + " needs a column list");
    }
    for (SqlNode n : list) {
      if (n instanceof SqlColumnDeclaration d) {
        columns.add(column(d));
      } else if (n instanceof SqlKeyConstraint k && k.getOperator().getKind()
          == SqlKind.PRIMARY_KEY) {
        if (!keyNames.isEmpty()) {
          throw new IllegalArgumentException("table '" + name + "' has more than one "
              + "PRIMARY KEY");
        }
        for (SqlNode c : (SqlNodeList) k.getOperandList().get(1)) {
          keyNames.add((SqlIdentifier) c);
        }
      } else {
        throw new IllegalArgumentException("unsupported element in CREATE TABLE: " + n);
      }
    }
    List<Integer> key = new ArrayList<>();
    for (SqlIdentifier k : keyNames) {
      int index = -1;
      for (int i = 0; i < columns.size(); i++) {
        if (columns.get(i).name().equalsIgnoreCase(k.getSimple())) {
          index = i;
        }
      }
      if (index < 0) {
        throw new IllegalArgumentException("PRIMARY KEY column '" + k.getSimple()
            + "' is not a column of table '" + name + "'");
      }
      key.add(index);
    }
    return new DeclaredSchema(columns, key);
  }

  private static DeclaredColumn column(SqlColumnDeclaration d) {
    String name = d.name.getSimple();
    if (!(d.dataType.getTypeNameSpec() instanceof SqlBasicTypeNameSpec spec)) {
      throw new IllegalArgumentException("column '" + name + "': unsupported type "
          + d.dataType);
    }
    String typeName = spec.getTypeName().getSimple().toUpperCase(Locale.ROOT);
    DeclaredType type;
    try {
      type = DeclaredType.valueOf(typeName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("column '" + name + "': unsupported type " + typeName);
    }
    int precision = spec.getPrecision();
    int scale = spec.getScale();
    if (type == DeclaredType.DECIMAL) {
      // DECIMAL without precision: the most a float64 keeps, no fraction (as the standard says).
      if (precision < 0) {
        precision = DeclaredSchema.MAX_DECIMAL_PRECISION;
      }
      scale = Math.max(scale, 0);
    } else if (!type.isText()) {
      precision = -1;
      scale = -1;
    }
    Boolean nullable = d.dataType.getNullable();
    return new DeclaredColumn(name, type, precision, scale, nullable == null || nullable);
  }

  /** Reflectively called by {@link DdlExecutorImpl#executeDdl}. */
  public void execute(SqlDropTable drop, CalcitePrepare.Context context) {
    ConvergeSchema schema = schema(context, drop.name);
    String existing = find(schema.store(), last(drop.name));
    if (existing == null) {
      if (drop.ifExists) {
        return;
      }
      throw new IllegalArgumentException("table '" + last(drop.name) + "' does not exist");
    }
    schema.store().drop(existing);
  }

  /** Reflectively called by {@link DdlExecutorImpl#executeDdl}. */
  public void execute(SqlCreateIndex create, CalcitePrepare.Context context) {
    ConvergeSchema schema = schema(context, create.table);
    String existing = find(schema.store(), last(create.table));
    ConvergeTable table = existing == null ? null : schema.table(existing);
    if (table == null) {
      throw new IllegalArgumentException("CREATE INDEX " + last(create.name) + ": table '"
          + last(create.table) + "' does not exist");
    }
    for (SqlNode c : create.columns) {
      String column = last((SqlIdentifier) c);
      boolean found = false;
      for (ConvergeColumn col : table.columns()) {
        found |= col.name().equalsIgnoreCase(column);
      }
      if (!found) {
        throw new IllegalArgumentException("CREATE INDEX " + last(create.name) + ": table '"
            + existing + "' has no column '" + column + "'");
      }
    }
    // Nothing to build: every field is already indexed.
  }

  /** Reflectively called by {@link DdlExecutorImpl#executeDdl}. */
  public void execute(SqlDropIndex drop, CalcitePrepare.Context context) {
    // Index names are not recorded (CREATE INDEX builds nothing), so there is nothing to drop.
  }

  /** The Converge schema a (possibly qualified) name refers to. */
  private static ConvergeSchema schema(CalcitePrepare.Context context, SqlIdentifier name) {
    CalciteSchema root = context.getRootSchema();
    List<String> path = name.names.size() > 1 ? name.names.subList(0, name.names.size() - 1)
        : context.getDefaultSchemaPath();
    CalciteSchema s = root;
    for (String p : path) {
      CalciteSchema next = s.getSubSchema(p, false);
      if (next == null) {
        throw new IllegalArgumentException("schema '" + p + "' does not exist");
      }
      s = next;
    }
    if (s.schema instanceof ConvergeSchema cs) {
      return cs;
    }
    ConvergeSchema cs = s.plus().unwrap(ConvergeSchema.class);
    if (cs == null) {
      throw new IllegalArgumentException("schema '" + String.join(".", path) + "' is not a "
          + "Converge schema (tables can be created in schema '" + ConvergeJdbc.SCHEMA + "')");
    }
    return cs;
  }

  private static String last(SqlIdentifier id) {
    return id.names.get(id.names.size() - 1);
  }

  /**
   * The collection a table name denotes: the exact name, else the one collection whose name
   * differs only in case; null when none.
   */
  static String find(ConvergeStore store, String name) {
    if (store.collection(name) != null) {
      return name;
    }
    String match = null;
    for (String n : store.collectionNames()) {
      if (n.equalsIgnoreCase(name)) {
        if (match != null) {
          throw new IllegalArgumentException("table name '" + name + "' is ambiguous: '" + match
              + "' and '" + n + "' differ only in case; quote the exact name");
        }
        match = n;
      }
    }
    return match;
  }
}
