package io.converge.adapter.write;

import java.util.List;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ColumnStrategy;
import org.apache.calcite.sql2rel.InitializerContext;
import org.apache.calcite.sql2rel.NullInitializerExpressionFactory;

/**
 * Lets INSERT leave out {@code _id} and {@code _event_time} (the first two columns, NOT NULL when
 * read): they default to a NULL that the writer replaces with a generated id and the ingest time,
 * as every other writer does.
 */
public final class SystemColumnDefaults extends NullInitializerExpressionFactory {
  public static final SystemColumnDefaults INSTANCE = new SystemColumnDefaults();

  private SystemColumnDefaults() {}

  @Override
  public ColumnStrategy generationStrategy(RelOptTable table, int iColumn) {
    return iColumn < 2 ? ColumnStrategy.DEFAULT : super.generationStrategy(table, iColumn);
  }

  @Override
  public RexNode newColumnDefaultValue(RelOptTable table, int iColumn,
      InitializerContext context) {
    if (iColumn < 2) {
      List<org.apache.calcite.rel.type.RelDataTypeField> fields = table.getRowType().getFieldList();
      RelDataType type = fields.get(iColumn).getType();
      return context.getRexBuilder().makeNullLiteral(type);
    }
    return super.newColumnDefaultValue(table, iColumn, context);
  }
}
