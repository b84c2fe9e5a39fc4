package io.converge.cluster.aggregator.write;

import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.LeafEndpoint;
import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.CatalogLog;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** A view of a cluster without leaves: its collections are the catalog's, all empty. */
final class CatalogBackedView implements ClusterView {
  private final CatalogLog catalog;

  CatalogBackedView(CatalogLog catalog) {
    this.catalog = catalog;
  }

  @Override
  public Map<String, CatalogEntry> collections() {
    return catalog.collections();
  }

  @Override
  public MergedSchema schema(String collection) {
    return new MergedSchema(0, 0, List.of());
  }

  @Override
  public Object stamp() {
    return catalog.generation();
  }

  @Override
  public Map<LeafEndpoint, List<Integer>> route(String collection,
      Collection<Integer> partitions, String preferredGroup) throws FragmentException {
    throw new UnsupportedOperationException("no leaves in this test");
  }

  @Override
  public Map<String, Object> status() {
    return Map.of();
  }

  @Override
  public void close() {
    catalog.close();
  }
}
