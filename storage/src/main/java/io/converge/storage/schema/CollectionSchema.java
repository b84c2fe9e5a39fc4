package io.converge.storage.schema;

import java.util.List;
import java.util.Map;

/**
 * An immutable view of a collection's inferred schema. {@link #version()} changes whenever the set
 * of fields or the set of types seen in a field changes (not when only counts change), so the SQL
 * layer can cache a row type per version.
 */
public record CollectionSchema(String collection, long version, long documentCount,
    List<FieldInfo> fields, Map<String, FieldInfo> byPath) {

  public FieldInfo field(String path) {
    return byPath.get(path);
  }
}
