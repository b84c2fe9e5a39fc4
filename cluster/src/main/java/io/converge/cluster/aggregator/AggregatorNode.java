package io.converge.cluster.aggregator;

import io.converge.cluster.aggregator.write.DocumentLookup;
import io.converge.cluster.aggregator.write.ClusterWriteRules;
import io.converge.cluster.aggregator.write.ClusterWrites;
import io.converge.cluster.aggregator.write.DocumentProducer;
import io.converge.cluster.aggregator.write.KafkaDocumentService;
import io.converge.cluster.aggregator.write.SqlDocumentLookup;
import io.converge.cluster.log.CatalogLog;
import io.converge.server.ConvergeServer;
import io.converge.server.auth.ServerSecurity;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Handler;

/**
 * One aggregator: a {@link ConvergeServer} (Avatica SQL and the HTTP API on one port, with the
 * one-process server's authentication and limits) whose schema is the cluster's collections and
 * whose writes go to Kafka through one shared {@link DocumentProducer}. It follows the catalog
 * ({@link CatalogLog}) to create collections on first write and for {@code CREATE TABLE}, and
 * registers its writer for SQL writes ({@link ClusterWrites}, {@link ClusterWriteRules}).
 *
 * <p>The {@link ClusterView} stays the caller's: {@link #close()} does not close it.
 */
public final class AggregatorNode implements AutoCloseable {
  private final ConvergeServer server;
  private final CatalogLog catalog;
  private final DocumentProducer producer;
  private final String bootstrap;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AggregatorNode(ConvergeServer server, CatalogLog catalog, DocumentProducer producer,
      String bootstrap) {
    this.bootstrap = bootstrap;
    this.server = server;
    this.catalog = catalog;
    this.producer = producer;
  }

  /** {@link #start(AggregatorOptions, ServerSecurity, ClusterView, String, List)} without handlers. */
  public static AggregatorNode start(AggregatorOptions options, ServerSecurity security,
      ClusterView view, String calciteUrl) throws InterruptedException {
    return start(options, security, view, calciteUrl, List.of());
  }

  /**
   * Opens the catalog and the producer and starts serving.
   *
   * @param calciteUrl the Calcite JDBC URL of the cluster's schema (the planner's)
   * @param handlers served before the HTTP API on the same port, such as {@code GET /v1/cluster}
   */
  public static AggregatorNode start(AggregatorOptions options, ServerSecurity security,
      ClusterView view, String calciteUrl, List<Handler> handlers) throws InterruptedException {
    return start(options, security, view, calciteUrl, handlers,
        new SqlDocumentLookup(calciteUrl));
  }

  /** As above with the lookup that decides a {@code DELETE}'s 404 for a missing document. */
  public static AggregatorNode start(AggregatorOptions options, ServerSecurity security,
      ClusterView view, String calciteUrl, List<Handler> handlers, DocumentLookup lookup)
      throws InterruptedException {
    CatalogLog catalog = CatalogLog.open(options.bootstrap());
    DocumentProducer producer = null;
    try {
      producer = new DocumentProducer(options.bootstrap());
      ClusterWrites.register(options.bootstrap(), catalog, producer, options.partitions());
      ClusterWriteRules.install();
      KafkaDocumentService documents = new KafkaDocumentService(catalog, producer, view, lookup,
          options.partitions());
      ConvergeServer server = ConvergeServer.start(options.server(), security,
          new AggregatorBackend(calciteUrl, view, documents, handlers, options.bootstrap()));
      return new AggregatorNode(server, catalog, producer, options.bootstrap());
    } catch (RuntimeException | Error e) {
      ClusterWrites.unregister(options.bootstrap());
      if (producer != null) {
        producer.close();
      }
      catalog.close();
      throw e;
    }
  }

  /** The Avatica remote-driver URL clients connect with. */
  public String jdbcUrl() {
    return server.jdbcUrl();
  }

  /** The port actually bound. */
  public int port() {
    return server.port();
  }

  /** The base URL, for example {@code http://127.0.0.1:8765}. */
  public String baseUrl() {
    return server.baseUrl();
  }

  /** The catalog this aggregator follows and writes. */
  public CatalogLog catalog() {
    return catalog;
  }

  /** Blocks until the server stops. */
  public void join() {
    server.join();
  }

  /** Stops serving, then closes the producer (flushing what it holds) and the catalog. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.stop();
    } finally {
      ClusterWrites.unregister(bootstrap);
      try {
        producer.close();
      } finally {
        catalog.close();
      }
    }
  }
}
