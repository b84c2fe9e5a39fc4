package io.converge.storage.schema;

/**
 * One declared column.
 *
 * @param name column name (the field name in documents), as declared
 * @param type its type
 * @param precision length of CHAR / VARCHAR, precision of DECIMAL; -1 when not given
 * @param scale scale of DECIMAL (0 when not given); -1 for other types
 * @param nullable false for NOT NULL and primary-key columns
 */
public record DeclaredColumn(String name, DeclaredType type, int precision, int scale,
    boolean nullable) {

  /** The type as SQL spells it: {@code VARCHAR(30)}, {@code DECIMAL(10, 2)}, {@code INTEGER}. */
  public String typeText() {
    if (type == DeclaredType.DECIMAL) {
      return precision < 0 ? "DECIMAL" : "DECIMAL(" + precision + ", " + scale + ")";
    }
    if (type.isText() && precision >= 0) {
      return type + "(" + precision + ")";
    }
    return type.name();
  }

  @Override
  public String toString() {
    return name + " " + typeText() + (nullable ? "" : " NOT NULL");
  }
}
