package io.converge.rules;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.AbstractRelNode;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeField;

/**
 * Base of Converge's access paths: a leaf over one {@link ConvergeTable}. Subclasses say which
 * rows ({@link ConvergeTableScan}: all; {@link ConvergeIndexFilter}: a predicate's;
 * {@link ConvergeRowLookup}: some {@code _id}s') and what they produce (projected columns, or
 * {@link ConvergeAggregate}'s groups).
 */
public abstract class ConvergeAccess extends AbstractRelNode implements ConvergeRel {
  protected final RelOptTable relOptTable;
  protected final ConvergeTable table;

  protected ConvergeAccess(RelOptCluster cluster, RelTraitSet traits, RelOptTable relOptTable,
      ConvergeTable table) {
    super(cluster, traits);
    this.relOptTable = relOptTable;
    this.table = table;
  }

  @Override
  public RelOptTable getTable() {
    return relOptTable;
  }

  public ConvergeTable convergeTable() {
    return table;
  }

  /** Live rows of the collection as the catalog counts them now. */
  protected double tableRows() {
    return Math.max(1d, table.collection().documentCount());
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    assert inputs.isEmpty();
    return traitSet.equals(getTraitSet()) ? this : withTraits(traitSet);
  }

  /** The same access path with other traits. */
  protected abstract ConvergeAccess withTraits(RelTraitSet traitSet);

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("table", relOptTable.getQualifiedName());
  }

  /** Row type of a projection of the table's columns. */
  static RelDataType projectedRowType(RelOptTable relOptTable, RelDataTypeFactory typeFactory,
      int[] columns) {
    List<RelDataTypeField> fields = relOptTable.getRowType().getFieldList();
    RelDataTypeFactory.Builder b = typeFactory.builder();
    for (int c : columns) {
      b.add(fields.get(c));
    }
    return b.build();
  }

  /** The table columns at {@code columns}. */
  List<ConvergeColumn> columnsAt(int[] columns) {
    List<ConvergeColumn> out = new ArrayList<>(columns.length);
    for (int c : columns) {
      out.add(table.columns().get(c));
    }
    return out;
  }

  /** Column names at {@code columns}, for EXPLAIN. */
  List<String> namesAt(int[] columns) {
    List<String> out = new ArrayList<>(columns.length);
    for (int c : columns) {
      out.add(table.columns().get(c).name());
    }
    return out;
  }
}
