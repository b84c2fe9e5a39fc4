package io.converge.cluster.aggregator.write;

import io.converge.adapter.ddl.ConvergeDdlExecutor;
import io.converge.adapter.ddl.ConvergeSqlParserImpl;
import io.converge.adapter.ddl.SqlCreateIndex;
import io.converge.adapter.ddl.SqlDropIndex;
import io.converge.cluster.aggregator.session.ClusterSession;
import io.converge.cluster.log.CatalogLog;
import io.converge.storage.schema.DeclaredSchema;
import org.apache.calcite.jdbc.CalcitePrepare;
import org.apache.calcite.server.DdlExecutorImpl;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlSetOption;
import org.apache.calcite.sql.ddl.SqlCreateTable;
import org.apache.calcite.sql.ddl.SqlDropTable;
import org.apache.calcite.sql.parser.SqlParserImplFactory;

/**
 * Converge's DDL on a cluster, parsed by the one-process parser and executed against the
 * cluster's catalog ({@link CatalogLog}) instead of a local store:
 * <ul>
 *   <li>{@code CREATE TABLE}: the collection's compacted topic (the aggregator's default
 *       partitions) and its catalog entry with the declared schema; the statement returns once
 *       this aggregator's catalog reader has seen the entry. Names match existing collections
 *       case-insensitively, as on one process.
 *   <li>{@code DROP TABLE}: removes the catalog entry (the topic is kept: deleting it is an
 *       operator's call).
 *   <li>{@code CREATE INDEX} / {@code DROP INDEX}: accepted, nothing to build (every field is
 *       indexed on the leaves).
 * </ul>
 * The aggregator's Calcite URL names {@link #PARSER_FACTORY}:
 * {@code parserFactory=io.converge.cluster.aggregator.write.ClusterDdlExecutor#PARSER_FACTORY}.
 */
public final class ClusterDdlExecutor extends DdlExecutorImpl {
  public static final ClusterDdlExecutor INSTANCE = new ClusterDdlExecutor();

  /** The one-process DDL parser with this executor. */
  public static final SqlParserImplFactory PARSER_FACTORY =
      ConvergeSqlParserImpl.factory(INSTANCE);

  private ClusterDdlExecutor() {}

  /** Reflectively called by {@link DdlExecutorImpl#executeDdl}. */
  public void execute(SqlCreateTable create, CalcitePrepare.Context context) {
    String name = last(create.name);
    DeclaredSchema declared = ConvergeDdlExecutor.declaredSchema(create);
    ClusterWrites.Writer writer = ClusterWrites.writer(null);
    String existing = find(writer.catalog(), name);
    if (existing != null) {
      if (create.ifNotExists) {
        return;
      }
      throw new IllegalArgumentException("table '" + existing + "' already exists");
    }
    try {
      writer.catalog().create(name, writer.partitions(), declared);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating table '" + name + "'", e);
    }
  }

  /**
   * Reflectively called by {@link DdlExecutorImpl#executeDdl}: {@code ALTER SESSION SET fence =
   * '...'} and the session's other read options ({@link ClusterSession#set}).
   */
  public void execute(SqlSetOption option, CalcitePrepare.Context context) {
    ClusterSession.set(context.getDataContext(), option);
  }

  /** Reflectively called by {@link DdlExecutorImpl#executeDdl}. */
  public void execute(SqlDropTable drop, CalcitePrepare.Context context) {
    CatalogLog catalog = ClusterWrites.writer(null).catalog();
    String existing = find(catalog, last(drop.name));
    if (existing == null) {
      if (drop.ifExists) {
        return;
      }
      throw new IllegalArgumentException("table '" + last(drop.name) + "' does not exist");
    }
    try {
      catalog.drop(existing);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while dropping table '" + existing + "'", e);
    }
  }

  /** Reflectively called by {@link DdlExecutorImpl#executeDdl}. */
  public void execute(SqlCreateIndex create, CalcitePrepare.Context context) {
    CatalogLog catalog = ClusterWrites.writer(null).catalog();
    if (find(catalog, last(create.table)) == null) {
      throw new IllegalArgumentException("CREATE INDEX " + last(create.name) + ": table '"
          + last(create.table) + "' does not exist");
    }
    // Nothing to build: every field is already indexed.
  }

  /** Reflectively called by {@link DdlExecutorImpl#executeDdl}. */
  public void execute(SqlDropIndex drop, CalcitePrepare.Context context) {
    // Index names are not recorded (CREATE INDEX builds nothing), so there is nothing to drop.
  }

  private static String last(SqlIdentifier id) {
    return id.names.get(id.names.size() - 1);
  }

  /** The exact name, else the one collection whose name differs only in case; null when none. */
  static String find(CatalogLog catalog, String name) {
    if (catalog.collection(name) != null) {
      return name;
    }
    String match = null;
    for (String n : catalog.collections().keySet()) {
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
