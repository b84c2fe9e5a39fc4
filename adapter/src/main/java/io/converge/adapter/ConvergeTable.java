package io.converge.adapter;

import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.schema.FieldInfo;
import io.converge.storage.schema.DeclaredColumn;
import io.converge.storage.schema.DeclaredSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ProjectableFilterableTable;
import org.apache.calcite.schema.TranslatableTable;
import java.util.ServiceLoader;
import org.apache.calcite.plan.Context;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.Statistics;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * A collection as a SQL table, for one version of its inferred schema.
 *
 * <p>Columns: {@code _id}, {@code _event_time}, then one per leaf field path, sorted by path
 * (see {@link ConvergeColumnType} for the types). A collection created with {@code CREATE TABLE}
 * has exactly its declared columns instead ({@link ConvergeColumn#of(DeclaredColumn)}). The
 * column list is fixed when the table is built, so column indexes computed while planning stay
 * valid while executing;
 * {@link ConvergeSchema} hands out a new table when the collection's schema version changes.
 *
 * <p>Scans read only the projected columns, through a snapshot taken when the scan starts.
 * Filters are left to Calcite.
 */
public final class ConvergeTable extends AbstractTable
    implements ProjectableFilterableTable, TranslatableTable {
  private final CollectionBinding binding;
  private final long schemaVersion;
  private final CollectionSchema schema;
  private final List<ConvergeColumn> columns;
  /** The declared schema ({@code CREATE TABLE}), or null for a schemaless collection. */
  private final DeclaredSchema declared;
  /** Push-down default from the schema (model operand {@code pushdown}); null = not set. */
  private final Boolean pushdownDefault;

  ConvergeTable(ConvergeCollection collection, CollectionSchema schema) {
    this(collection, schema, null);
  }

  ConvergeTable(ConvergeCollection collection, CollectionSchema schema, Boolean pushdownDefault) {
    this(CollectionBinding.fixed(collection), schema, pushdownDefault);
  }

  private ConvergeTable(CollectionBinding binding, CollectionSchema schema,
      Boolean pushdownDefault) {
    this.binding = binding;
    ConvergeCollection collection = binding.collection();
    this.pushdownDefault = pushdownDefault;
    this.schemaVersion = schema.version();
    this.schema = schema;
    this.declared = collection.declared();
    this.columns = columnsOf(schema, declared);
  }

  /**
   * A table over a collection whose columns come from the given schema rather than the
   * collection's own: a cluster leaf types each shard's columns by the field statistics of all
   * shards, so that every shard answers a fragment with the columns the aggregator planned.
   */
  public static ConvergeTable over(ConvergeCollection collection, CollectionSchema schema) {
    return new ConvergeTable(collection, schema, null);
  }

  /**
   * {@link #over}, reading whichever shard {@code binding} holds when a statement executes (see
   * {@link CollectionBinding}).
   */
  public static ConvergeTable over(CollectionBinding binding, CollectionSchema schema) {
    return new ConvergeTable(binding, schema, null);
  }

  /**
   * The columns of a collection with this inferred schema, or exactly the declared ones when
   * {@code declared} is not null: {@code _id}, {@code _event_time}, then every leaf field in path
   * order, names made unique ignoring case.
   */
  public static List<ConvergeColumn> columnsOf(CollectionSchema schema, DeclaredSchema declared) {
    if (declared != null) {
      List<ConvergeColumn> cols = new ArrayList<>(declared.columns().size());
      for (DeclaredColumn d : declared.columns()) {
        cols.add(ConvergeColumn.of(d));
      }
      return Collections.unmodifiableList(cols);
    }
    List<ConvergeColumn> cols = new ArrayList<>(schema.fields().size() + 2);
    cols.add(ConvergeColumn.ID);
    cols.add(ConvergeColumn.EVENT_TIME);
    Set<String> taken = new HashSet<>();
    taken.add(ConvergeColumn.ID.name().toLowerCase(Locale.ROOT));
    taken.add(ConvergeColumn.EVENT_TIME.name().toLowerCase(Locale.ROOT));
    for (FieldInfo f : schema.fields()) { // sorted by path
      if (f.isLeaf() && !f.path().equals(ConvergeColumn.ID.path())
          && !f.path().equals(ConvergeColumn.EVENT_TIME.path())) {
        cols.add(uniqueName(ConvergeColumn.of(f), taken));
      }
    }
    return Collections.unmodifiableList(cols);
  }

  /**
   * Connections resolve names case-insensitively, so two columns whose names differ only in case
   * ({@code status}, {@code Status}) would make every query on the table ambiguous, even
   * {@code SELECT *}. The first in path order keeps its name; later ones get a suffix
   * {@code ~2}, {@code ~3}, ... ({@code "status~2"}).
   */
  private static ConvergeColumn uniqueName(ConvergeColumn c, Set<String> taken) {
    String name = c.name();
    for (int n = 2; !taken.add(name.toLowerCase(Locale.ROOT)); n++) {
      name = c.path() + "~" + n;
    }
    return name.equals(c.name()) ? c : c.withName(name);
  }

  public ConvergeCollection collection() {
    return binding.collection();
  }

  /** The collection schema version this table's columns were derived from. */
  public long schemaVersion() {
    return schemaVersion;
  }

  /** The collection schema (field type counts) this table's columns were derived from. */
  public CollectionSchema schema() {
    return schema;
  }

  /**
   * The JSON type mask ({@link FieldInfo#typeMask()}) of a column's field in this table's schema
   * version; 0 for the system columns and for paths the schema does not know.
   */
  public int typeMask(ConvergeColumn column) {
    FieldInfo f = schema.field(column.path());
    return f == null ? 0 : f.typeMask();
  }

  public List<ConvergeColumn> columns() {
    return columns;
  }

  /**
   * The declared schema when the collection was created with {@code CREATE TABLE} (then the
   * columns are exactly the declared ones, in order, with no {@code _id} or
   * {@code _event_time}), else null.
   */
  public DeclaredSchema declared() {
    return declared;
  }

  /** The column a scan that needs no column reads: {@code _event_time}, or a declared table's first. */
  public int cheapestColumn() {
    return declared != null ? 0 : 1;
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
    // _id (or a declared primary key) is unique; the row count is the live count now (used for
    // join ordering only).
    if (declared != null) {
      return Statistics.of(collection().documentCount(), declared.primaryKey().isEmpty()
          ? List.of() : List.of(ImmutableBitSet.of(declared.primaryKey())));
    }
    return Statistics.of(collection().documentCount(), List.of(ImmutableBitSet.of(0)));
  }

  /**
   * A plain logical scan, as for any table, after registering {@link ConvergeNoColumnScanRule}
   * and, when push-down is on ({@link #pushdown}), the rules of every
   * {@link ConvergePlannerRules} service (the {@code rules} module).
   */
  @Override
  public RelNode toRel(RelOptTable.ToRelContext context, RelOptTable relOptTable) {
    RelOptPlanner planner = context.getCluster().getPlanner();
    planner.addRule(ConvergeNoColumnScanRule.INSTANCE);
    if (pushdown(planner.getContext())) {
      for (ConvergePlannerRules rules : PLANNER_RULES) {
        rules.register(planner);
      }
    }
    return LogicalTableScan.create(context.getCluster(), relOptTable, context.getTableHints());
  }

  private static final List<ConvergePlannerRules> PLANNER_RULES = loadPlannerRules();

  private static List<ConvergePlannerRules> loadPlannerRules() {
    List<ConvergePlannerRules> list = new ArrayList<>();
    ServiceLoader.load(ConvergePlannerRules.class, ConvergeTable.class.getClassLoader())
        .forEach(list::add);
    return List.copyOf(list);
  }

  /**
   * Whether push-down rules apply to a statement planned with this planner context: the
   * connection property {@code pushdown} when set, else the schema's model operand
   * {@code pushdown}, else true.
   */
  public boolean pushdown(Context plannerContext) {
    Boolean fromConnection = ConvergeConnectionProperty.parseBoolean(
        ConvergeConnectionProperty.value(plannerContext, ConvergeConnectionProperty.PUSHDOWN),
        "connection property pushdown");
    if (fromConnection != null) {
      return fromConnection;
    }
    return pushdownDefault == null || pushdownDefault;
  }

  @Override
  public Enumerable<Object[]> scan(DataContext root, List<RexNode> filters, int[] projects) {
    List<ConvergeColumn> selected;
    if (projects == null) {
      selected = columns;
    } else {
      selected = new ArrayList<>(projects.length);
      for (int p : projects) {
        selected.add(columns.get(p));
      }
    }
    return new AbstractEnumerable<>() {
      @Override
      public Enumerator<Object[]> enumerator() {
        return new ConvergeEnumerator(collection().snapshot(), selected, null,
            ConvergeQueryGuards.of(root));
      }
    };
  }

  /** Column defaults for INSERT ({@code _id} and {@code _event_time} may be left out). */
  @Override
  public <C> C unwrap(Class<C> aClass) {
    if (declared == null
        && aClass.isInstance(io.converge.adapter.write.SystemColumnDefaults.INSTANCE)) {
      return aClass.cast(io.converge.adapter.write.SystemColumnDefaults.INSTANCE);
    }
    return super.unwrap(aClass);
  }

  @Override
  public String toString() {
    return "ConvergeTable{" + binding.name() + ", version " + schemaVersion + "}";
  }
}
