package io.converge.storage.schema;

/**
 * A document that does not fit its collection's declared schema (an undeclared field, a value
 * that cannot be coerced to its column's type, a missing NOT NULL value), or a declaration that
 * is not valid. The write it belongs to is refused whole.
 */
public final class DeclaredSchemaException extends IllegalArgumentException {
  public DeclaredSchemaException(String message) {
    super(message);
  }
}
