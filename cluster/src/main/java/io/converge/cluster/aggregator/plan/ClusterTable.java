package io.converge.cluster.aggregator.plan;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeTable;
import io.converge.adapter.write.SystemColumnDefaults;
import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.aggregator.write.ClusterWriteRules;
import io.converge.cluster.aggregator.write.ClusterWriteTarget;
import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.FieldStats;
import io.converge.storage.schema.DeclaredSchema;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.linq4j.Queryable;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rel.logical.LogicalTableModify;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ModifiableTable;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.Schemas;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.Statistics;
import org.apache.calcite.schema.TranslatableTable;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql2rel.InitializerExpressionFactory;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * A collection of the cluster as a SQL table: the columns one node holding all its documents
 * would show ({@link ConvergeTable#columnsOf} over the merged field statistics, or the declared
 * columns), for one catalog entry and merged schema version. Reads become a
 * {@link ClusterTableScan} below a gather; writes a {@link LogicalTableModify} that the write
 * rules ({@link ClusterWriteRules}) implement.
 */
public final class ClusterTable extends AbstractTable implements TranslatableTable,
    ModifiableTable, ClusterWriteTarget {
  private final ClusterRuntime runtime;
  private final CatalogEntry entry;
  private final ClusterView.MergedSchema merged;
  private final DeclaredSchema declared;
  private final List<ConvergeColumn> columns;

  ClusterTable(ClusterRuntime runtime, CatalogEntry entry, ClusterView.MergedSchema merged) {
    this.runtime = runtime;
    this.entry = entry;
    this.merged = merged;
    this.declared = CatalogLog.declaredSchema(entry);
    this.columns = ConvergeTable.columnsOf(FieldStats.schema(entry.collection(), merged.version(),
        merged.documentCount(), merged.fields()), declared);
  }

  public ClusterRuntime runtime() {
    return runtime;
  }

  public CatalogEntry entry() {
    return entry;
  }

  /** The merged schema the columns come from (sent with every fragment). */
  public ClusterView.MergedSchema merged() {
    return merged;
  }

  public String collection() {
    return entry.collection();
  }

  public List<ConvergeColumn> columns() {
    return columns;
  }

  /** The declared schema ({@code CREATE TABLE}) or null for a schemaless collection. */
  public DeclaredSchema declared() {
    return declared;
  }

  /** The index of the {@code _id} column (the Kafka key), or -1 for a declared table. */
  public int idColumn() {
    return declared == null ? 0 : -1;
  }

  @Override
  public RelDataType getRowType(RelDataTypeFactory typeFactory) {
    RelDataTypeFactory.Builder b = typeFactory.builder();
    for (ConvergeColumn c : columns) {
      b.add(c.name(), c.relDataType(typeFactory));
    }
    return b.build();
  }

  @Override
  public Statistic getStatistic() {
    List<ImmutableBitSet> keys = declared == null ? List.of(ImmutableBitSet.of(0))
        : declared.primaryKey().isEmpty() ? List.of()
        : List.of(ImmutableBitSet.of(declared.primaryKey()));
    return Statistics.of(merged.documentCount(), keys);
  }

  /** Registers the cluster's rules ({@link ClusterRules#register}) and scans below a gather. */
  @Override
  public RelNode toRel(RelOptTable.ToRelContext context, RelOptTable relOptTable) {
    RelOptCluster cluster = context.getCluster();
    RelOptPlanner planner = cluster.getPlanner();
    ClusterRules.register(planner, ClusterConnectionProperty.distributed(planner.getContext()));
    ClusterWriteRules.register(planner);
    return new ClusterTableScan(cluster, cluster.traitSetOf(ClusterRel.CONVENTION), relOptTable,
        this);
  }

  @Override
  public Collection getModifiableCollection() {
    return null;
  }

  @Override
  public TableModify toModificationRel(RelOptCluster cluster, RelOptTable table,
      Prepare.CatalogReader catalogReader, RelNode child, TableModify.Operation operation,
      List<String> updateColumnList, List<RexNode> sourceExpressionList,
      boolean flattened) {
    return LogicalTableModify.create(table, catalogReader, child, operation, updateColumnList,
        sourceExpressionList, flattened);
  }

  @Override
  public Type getElementType() {
    return Object[].class;
  }

  @Override
  public Expression getExpression(SchemaPlus schema, String tableName, Class clazz) {
    return Schemas.tableExpression(schema, getElementType(), tableName, clazz);
  }

  /** Rows are read through gathers ({@link #toRel}), never as a queryable. */
  @Override
  public <T> Queryable<T> asQueryable(QueryProvider queryProvider, SchemaPlus schema,
      String tableName) {
    throw new UnsupportedOperationException("cluster table " + tableName + " is read by gathers");
  }

  @Override
  public String writeCollection() {
    return entry.collection();
  }

  @Override
  public List<ConvergeColumn> writeColumns() {
    return columns;
  }

  /** INSERT may leave out {@code _id} and {@code _event_time}, as on one process. */
  @Override
  public <C> C unwrap(Class<C> aClass) {
    if (aClass.isInstance(SystemColumnDefaults.INSTANCE)
        && aClass == InitializerExpressionFactory.class) {
      return aClass.cast(SystemColumnDefaults.INSTANCE);
    }
    return super.unwrap(aClass);
  }

  @Override
  public String toString() {
    return "ClusterTable{" + entry.collection() + ", version " + merged.version() + "}";
  }
}
