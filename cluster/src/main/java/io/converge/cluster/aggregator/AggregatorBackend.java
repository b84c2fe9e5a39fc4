package io.converge.cluster.aggregator;

import io.converge.cluster.aggregator.backup.ClusterBackup;
import io.converge.server.ServerBackend;
import io.converge.server.admin.AdminHandler;
import io.converge.server.http.DocumentService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Handler;

/**
 * What an aggregator's {@link io.converge.server.ConvergeServer} serves: the cluster's Calcite
 * schema, the HTTP API over Kafka and the aggregator's own handlers ({@code GET /v1/cluster}).
 * Closing it releases nothing: the node closes the producer and the catalog after the server.
 */
final class AggregatorBackend implements ServerBackend {
  private final String calciteUrl;
  private final ClusterView view;
  private final DocumentService documents;
  private final List<Handler> handlers;
  private final String bootstrap;

  AggregatorBackend(String calciteUrl, ClusterView view, DocumentService documents,
      List<Handler> handlers, String bootstrap) {
    this.calciteUrl = calciteUrl;
    this.view = view;
    this.documents = documents;
    this.handlers = List.copyOf(handlers);
    this.bootstrap = bootstrap;
  }

  @Override
  public String calciteUrl() {
    return calciteUrl;
  }

  @Override
  public Object catalogStamp() {
    return view.stamp();
  }

  @Override
  public DocumentService documents() {
    return documents;
  }

  @Override
  public List<Handler> handlers(boolean authenticated) {
    List<Handler> all = new ArrayList<>(handlers);
    all.add(new AdminHandler(ClusterBackup.taker(view), authenticated));
    return all;
  }

  @Override
  public Path dataDirectory() {
    return null;
  }

  /**
   * Literals stay in the text: a parameter travels to the leaves inside the fragment, where a
   * comparison with it keeps a filter above the index (an application may bind anything), which
   * stops aggregates from folding in storage.
   */
  @Override
  public boolean sharesPlansAcrossLiterals() {
    return false;
  }

  @Override
  public String role() {
    return "aggregator";
  }

  @Override
  public String describe() {
    return "the cluster of Kafka " + bootstrap;
  }

  @Override
  public void close() {}
}
