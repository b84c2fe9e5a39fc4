package io.converge.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.converge.adapter.ConvergeColumn;
import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.schema.FieldInfo;
import io.converge.storage.schema.FieldType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code GET /v1/collections/{name}} says of a collection: its live document count and, per
 * field path, how many documents hold it with each JSON type and the SQL column type that
 * follows (as the adapter maps it).
 */
@JsonPropertyOrder({"name", "documents", "fields"})
record CollectionDescription(String name, long documents, List<Field> fields) {

  /**
   * One field path. {@code documents}: live documents holding it (any type); {@code types}:
   * documents per JSON type ({@code null}, {@code bool}, {@code int}, {@code double},
   * {@code string}, {@code timestamp}, {@code array}, {@code object}); {@code elementTypes}:
   * array elements per type; {@code sqlType} is absent for a path that only ever held objects
   * (its leaves are columns of their own).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"path", "sqlType", "documents", "types", "elementTypes"})
  record Field(String path, String sqlType, long documents, Map<String, Long> types,
      Map<String, Long> elementTypes) {}

  /** A line of {@code GET /v1/collections}. */
  record Summary(String name, long documents) {}

  static CollectionDescription of(CollectionSchema schema) {
    List<Field> fields = new ArrayList<>();
    for (FieldInfo f : schema.fields()) {
      Map<String, Long> types = names(f.typeCounts());
      if (types.isEmpty()) {
        continue; // every document holding it was deleted or replaced
      }
      String sqlType = null;
      if (f.isLeaf()) {
        ConvergeColumn c = ConvergeColumn.of(f);
        sqlType = c.elementType() == null ? c.type().sqlTypeName.getName()
            : c.elementType().sqlTypeName.getName() + " " + c.type().sqlTypeName.getName();
      }
      Map<String, Long> elements = names(f.elementTypeCounts());
      long holding = types.values().stream().mapToLong(Long::longValue).sum();
      fields.add(new Field(f.path(), sqlType, holding, types,
          elements.isEmpty() ? null : elements));
    }
    return new CollectionDescription(schema.collection(), schema.documentCount(), fields);
  }

  private static Map<String, Long> names(Map<FieldType, Long> counts) {
    Map<String, Long> m = new LinkedHashMap<>();
    counts.forEach((t, n) -> m.put(t.name().toLowerCase(Locale.ROOT), n));
    return m;
  }
}
