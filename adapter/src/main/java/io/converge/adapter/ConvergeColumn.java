package io.converge.adapter;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.FieldInfo;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;

/**
 * One column of a {@link ConvergeTable}: its SQL name, the field path it reads, its type, and for
 * arrays the element type.
 *
 * @param name SQL column name: the path, unless another column's name differs from it only in
 *     case (connections resolve names case-insensitively), see {@link ConvergeTable}
 * @param path field path, dotted for nested leaves ({@code customer.country})
 * @param type column type
 * @param elementType element type when {@code type} is ARRAY, else null
 * @param nullable false only for the system columns {@code _id} and {@code _event_time}
 */
public record ConvergeColumn(String name, String path, ConvergeColumnType type, ConvergeColumnType elementType,
    boolean nullable) {

  /** {@code _id VARCHAR NOT NULL}. */
  public static final ConvergeColumn ID =
      new ConvergeColumn(CollectionSnapshot.ID, CollectionSnapshot.ID, ConvergeColumnType.VARCHAR, null, false);
  /** {@code _event_time TIMESTAMP(3) NOT NULL}. */
  public static final ConvergeColumn EVENT_TIME =
      new ConvergeColumn(CollectionSnapshot.EVENT_TIME, CollectionSnapshot.EVENT_TIME, ConvergeColumnType.TIMESTAMP, null, false);

  /** The column for a leaf field, typed from its type counts. */
  public static ConvergeColumn of(FieldInfo field) {
    ConvergeColumnType type = ConvergeColumnType.ofMask(field.typeMask());
    ConvergeColumnType element = type == ConvergeColumnType.ARRAY
        ? ConvergeColumnType.ofElementMask(field.elementTypeMask()) : null;
    return new ConvergeColumn(field.path(), field.path(), type, element, true);
  }

  /** The same column under another SQL name. */
  public ConvergeColumn withName(String newName) {
    return new ConvergeColumn(newName, path, type, elementType, nullable);
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
