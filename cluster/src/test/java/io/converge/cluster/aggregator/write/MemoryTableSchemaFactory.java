package io.converge.cluster.aggregator.write;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeColumnType;
import io.converge.adapter.write.SystemColumnDefaults;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.SchemaFactory;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;

/**
 * Stands in for the planner's cluster schema in write tests: one table {@code c} ({@code _id},
 * {@code _event_time}, {@code a BIGINT}, {@code b VARCHAR}) whose rows the test sets, written
 * through {@link ClusterWriteTarget} like a cluster table.
 */
public final class MemoryTableSchemaFactory implements SchemaFactory {
  /** The rows a scan of {@code c} returns: _id, _event_time (epoch ms), a, b. */
  static final List<Object[]> ROWS = new CopyOnWriteArrayList<>();

  static final List<ConvergeColumn> COLUMNS = List.of(ConvergeColumn.ID,
      ConvergeColumn.EVENT_TIME,
      new ConvergeColumn("a", "a", ConvergeColumnType.BIGINT, null, true),
      new ConvergeColumn("b", "b", ConvergeColumnType.VARCHAR, null, true));

  @Override
  public Schema create(SchemaPlus parent, String name, Map<String, Object> operand) {
    return new AbstractSchema() {
      @Override
      protected Map<String, Table> getTableMap() {
        return Map.of("c", new MemoryTable());
      }
    };
  }

  static final class MemoryTable extends AbstractTable implements ScannableTable,
      ClusterWriteTarget {
    @Override
    public RelDataType getRowType(RelDataTypeFactory typeFactory) {
      RelDataTypeFactory.Builder b = typeFactory.builder();
      for (ConvergeColumn c : COLUMNS) {
        b.add(c.name(), c.relDataType(typeFactory));
      }
      return b.build();
    }

    @Override
    public Enumerable<Object[]> scan(DataContext root) {
      return Linq4j.asEnumerable(List.copyOf(ROWS));
    }

    @Override
    public String writeCollection() {
      return "c";
    }

    @Override
    public List<ConvergeColumn> writeColumns() {
      return COLUMNS;
    }

    @Override
    public <C> C unwrap(Class<C> aClass) {
      if (aClass.isInstance(SystemColumnDefaults.INSTANCE)) {
        return aClass.cast(SystemColumnDefaults.INSTANCE);
      }
      return super.unwrap(aClass);
    }
  }
}
