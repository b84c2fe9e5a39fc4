package io.converge.adapter;

import io.converge.storage.CollectionSnapshot;
import io.converge.storage.schema.FieldInfo;
import io.converge.storage.schema.DeclaredColumn;
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
 * @param nullable false only for the system columns {@code _id} and {@code _event_time}, and for
 *     declared NOT NULL columns
 * @param declared the column's declaration when its table was created with {@code CREATE TABLE}
 *     (then it decides the SQL type and the conversion of stored values), else null
 */
public record ConvergeColumn(String name, String path, ConvergeColumnType type, ConvergeColumnType elementType,
    boolean nullable, DeclaredColumn declared) {

  public ConvergeColumn(String name, String path, ConvergeColumnType type,
      ConvergeColumnType elementType, boolean nullable) {
    this(name, path, type, elementType, nullable, null);
  }

  /** {@code _id VARCHAR NOT NULL}. */
  public static final ConvergeColumn ID =
      new ConvergeColumn(CollectionSnapshot.ID, CollectionSnapshot.ID, ConvergeColumnType.VARCHAR, null, false);
  /** {@code _event_time TIMESTAMP(3) NOT NULL}. */
  public static final ConvergeColumn EVENT_TIME =
      new ConvergeColumn(CollectionSnapshot.EVENT_TIME, CollectionSnapshot.EVENT_TIME,
          ConvergeColumnType.TIMESTAMP, null, false);

  /** The column for a leaf field, typed from its type counts. */
  public static ConvergeColumn of(FieldInfo field) {
    ConvergeColumnType type = ConvergeColumnType.ofMask(field.typeMask());
    ConvergeColumnType element = type == ConvergeColumnType.ARRAY
        ? ConvergeColumnType.ofElementMask(field.elementTypeMask()) : null;
    return new ConvergeColumn(field.path(), field.path(), type, element, true);
  }

  /**
   * The column of a declared table: SQL type and nullability as declared. Its storage-level
   * {@link #type()} is the JSON type family its values are stored in (BIGINT for the integer
   * types, DOUBLE for DOUBLE and FLOAT, VARCHAR, BOOLEAN, TIMESTAMP) so that Converge's access
   * paths apply; for REAL, DECIMAL, CHAR and DATE, whose SQL values differ from the stored ones,
   * it is {@link ConvergeColumnType#TEXT}, which no access path takes (Calcite evaluates them).
   */
  public static ConvergeColumn of(DeclaredColumn d) {
    ConvergeColumnType storage = switch (d.type()) {
      case BOOLEAN -> ConvergeColumnType.BOOLEAN;
      case TINYINT, SMALLINT, INTEGER, BIGINT -> ConvergeColumnType.BIGINT;
      case FLOAT, DOUBLE -> ConvergeColumnType.DOUBLE;
      case VARCHAR -> ConvergeColumnType.VARCHAR;
      case TIMESTAMP -> ConvergeColumnType.TIMESTAMP;
      case REAL, DECIMAL, CHAR, DATE -> ConvergeColumnType.TEXT;
    };
    return new ConvergeColumn(d.name(), d.name(), storage, null, d.nullable(), d);
  }

  /** The same column under another SQL name. */
  public ConvergeColumn withName(String newName) {
    return new ConvergeColumn(newName, path, type, elementType, nullable, declared);
  }

  public RelDataType relDataType(RelDataTypeFactory typeFactory) {
    RelDataType t = declared != null ? ConvergeDeclaredTypes.relDataType(typeFactory, declared)
        : type.relDataType(typeFactory, elementType);
    return typeFactory.createTypeWithNullability(t, nullable);
  }

  /** A stored value in Calcite's internal representation for this column. */
  public Object toInternal(Object stored) {
    return declared != null ? ConvergeDeclaredTypes.toInternal(declared, stored)
        : type.toInternal(stored, elementType);
  }
}
