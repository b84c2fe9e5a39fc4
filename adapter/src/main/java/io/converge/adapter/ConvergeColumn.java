package io.converge.adapter;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.FieldInfo;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;

/**
 * One column of a {@link ConvergeTable}: the field path it reads (also its SQL name), its type,
 * and for arrays the element type.
 *
 * @param path field path, dotted for nested leaves ({@code customer.country})
 * @param type column type
 * @param elementType element type when {@code type} is ARRAY, else null
 * @param nullable false only for the system columns {@code _id} and {@code _event_time}
 */
public record ConvergeColumn(String path, ConvergeColumnType type, ConvergeColumnType elementType,
    boolean nullable) {

  /** {@code _id VARCHAR NOT NULL}. */
  public static final ConvergeColumn ID =
      new ConvergeColumn(CollectionSnapshot.ID, ConvergeColumnType.VARCHAR, null, false);
  /** {@code _event_time TIMESTAMP(3) NOT NULL}. */
  public static final ConvergeColumn EVENT_TIME =
      new ConvergeColumn(CollectionSnapshot.EVENT_TIME, ConvergeColumnType.TIMESTAMP, null, false);

  /** The column for a leaf field, typed from its type counts. */
  public static ConvergeColumn of(FieldInfo field) {
    ConvergeColumnType type = ConvergeColumnType.ofMask(field.typeMask());
    ConvergeColumnType element = type == ConvergeColumnType.ARRAY
        ? ConvergeColumnType.ofElementMask(field.elementTypeMask()) : null;
    return new ConvergeColumn(field.path(), type, element, true);
  }

  public RelDataType relDataType(RelDataTypeFactory typeFactory) {
    RelDataType t = type.relDataType(typeFactory, elementType);
    return nullable ? t : typeFactory.createTypeWithNullability(t, false);
  }

  /** A stored value in Calcite's internal representation for this column. */
  public Object toInternal(Object stored) {
    return type.toInternal(stored, elementType);
  }
}
