package io.converge.adapter;

import io.converge.storage.schema.CollectionSchema;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/**
 * The collections of one {@link ConvergeStore} as tables. The table map is computed on every
 * lookup, so collections created after a connection opened are visible to it (the model must set
 * {@code "cache": false} so Calcite does not cache the names either). One {@link ConvergeTable}
 * object exists per collection and schema version: a write that adds a field or changes a field's
 * types yields a new table with the new columns on the next statement, while a statement already
 * planned keeps the table it was planned with.
 */
public final class ConvergeSchema extends AbstractSchema {
  private final ConvergeStore store;
  private final Map<String, ConvergeTable> tables = new ConcurrentHashMap<>();

  private final Boolean pushdown;

  public ConvergeSchema(ConvergeStore store) {
    this(store, null);
  }

  /**
   * @param pushdown the model operand {@code pushdown} (null when absent): whether Converge's
   *     planner rules apply when the connection does not say (see {@link ConvergeTable#pushdown})
   */
  public ConvergeSchema(ConvergeStore store, Boolean pushdown) {
    this.store = store;
    this.pushdown = pushdown;
  }

  public ConvergeStore store() {
    return store;
  }

  @Override
  protected Map<String, Table> getTableMap() {
    Map<String, Table> map = new LinkedHashMap<>();
    for (String name : store.collectionNames()) {
      ConvergeTable t = table(name);
      if (t != null) {
        map.put(name, t);
      }
    }
    return map;
  }

  /** The table for a collection's current schema version, or null if it does not exist. */
  public ConvergeTable table(String name) {
    ConvergeCollection c = store.collection(name);
    if (c == null) {
      tables.remove(name);
      return null;
    }
    CollectionSchema schema = c.schema();
    return tables.compute(name, (n, old) ->
        old != null && old.collection() == c && old.schemaVersion() == schema.version()
            ? old : new ConvergeTable(c, schema, pushdown));
  }

  /** SQL functions: {@code ARRAY_CONTAINS} ({@link ConvergeArrayFunctions}). */
  @Override
  protected com.google.common.collect.Multimap<String, org.apache.calcite.schema.Function>
      getFunctionMultimap() {
    return ConvergeArrayFunctions.schemaFunctions();
  }

  @Override
  public boolean isMutable() {
    return true;
  }
}
