package io.converge.adapter;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Calcite's default type system, except that {@code SUM} widens its type: any exact integer type
 * sums as BIGINT, DECIMAL sums at the maximum precision with the same scale. (Calcite's default
 * keeps the argument type, so SUM over INTEGER silently overflows.) Set on every connection by
 * {@link ConvergeJdbc#url}; usable elsewhere as {@code typeSystem=io.converge.adapter.ConvergeTypeSystem}.
 */
public class ConvergeTypeSystem extends RelDataTypeSystemImpl {
  /** Instance for use by reflection ({@code typeSystem=} connection property). */
  public static final ConvergeTypeSystem INSTANCE = new ConvergeTypeSystem();

  public ConvergeTypeSystem() {}

  @Override
  public RelDataType deriveSumType(RelDataTypeFactory typeFactory, RelDataType argumentType) {
    RelDataType widened;
    switch (argumentType.getSqlTypeName()) {
    case TINYINT:
    case SMALLINT:
    case INTEGER:
    case BIGINT:
      widened = typeFactory.createSqlType(SqlTypeName.BIGINT);
      break;
    case DECIMAL:
      widened = typeFactory.createSqlType(SqlTypeName.DECIMAL,
          getMaxPrecision(SqlTypeName.DECIMAL), argumentType.getScale());
      break;
    default:
      return super.deriveSumType(typeFactory, argumentType);
    }
    return typeFactory.createTypeWithNullability(widened, argumentType.isNullable());
  }
}
