package io.converge.cluster.aggregator.plan;

import io.converge.adapter.ConvergeArrayFunctions;
import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.log.CatalogEntry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/**
 * The cluster's collections as tables. Computed on every lookup (the model sets
 * {@code "cache": false}); one {@link ClusterTable} per collection, catalog entry and merged
 * schema version, so a statement keeps the columns it was planned with.
 */
public final class ClusterSchema extends AbstractSchema {
  private final ClusterRuntime runtime;
  private final Map<String, ClusterTable> tables = new ConcurrentHashMap<>();

  public ClusterSchema(ClusterRuntime runtime) {
    this.runtime = runtime;
  }

  public ClusterRuntime runtime() {
    return runtime;
  }

  @Override
  protected Map<String, Table> getTableMap() {
    Map<String, Table> map = new LinkedHashMap<>();
    for (String name : runtime.view().collections().keySet()) {
      ClusterTable t = table(name);
      if (t != null) {
        map.put(name, t);
      }
    }
    return map;
  }

  /** The table for a collection's current catalog entry and merged schema, or null. */
  public ClusterTable table(String name) {
    ClusterView view = runtime.view();
    CatalogEntry entry = view.collections().get(name);
    if (entry == null) {
      tables.remove(name);
      return null;
    }
    ClusterView.MergedSchema schema = view.schema(name);
    return tables.compute(name, (n, old) ->
        old != null && old.entry().equals(entry) && old.merged().version() == schema.version()
            ? old : new ClusterTable(runtime, entry, schema));
  }

  /** The one-process schema's functions ({@code ARRAY_CONTAINS}), so queries type the same. */
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
