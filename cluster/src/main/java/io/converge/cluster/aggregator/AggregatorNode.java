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
import io.converge.cluster.aggregator.plan.ClusterJdbc;
import io.converge.cluster.aggregator.plan.ClusterRuntime;
import io.converge.cluster.aggregator.view.ClusterStatusHandler;
import io.converge.cluster.aggregator.view.KafkaClusterView;
import io.converge.cluster.aggregator.write.ClusterDdlExecutor;
import io.converge.cluster.metrics.TimedFragmentTransport;
import io.converge.cluster.transport.FlightFragmentTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.LoggerFactory;
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
  /** What {@link #startOnKafka} opened besides the server, closed after it; empty otherwise. */
  private final List<AutoCloseable> owned = new ArrayList<>();
  private ClusterView view;

  private AggregatorNode(ConvergeServer server, CatalogLog catalog, DocumentProducer producer,
      String bootstrap) {
    this.bootstrap = bootstrap;
    this.server = server;
    this.catalog = catalog;
    this.producer = producer;
  }

  /**
   * Starts an aggregator of the cluster on {@code options.bootstrap()}: follows the catalog, the
   * leaves' announcements and their groups ({@link KafkaClusterView}), plans over them
   * ({@link ClusterJdbc}), gathers over Arrow Flight ({@link FlightFragmentTransport}) and serves
   * {@code GET /v1/cluster}. {@link #close()} closes all of it.
   */
  public static AggregatorNode startOnKafka(AggregatorOptions options, ServerSecurity security)
      throws InterruptedException {
    CatalogLog catalog = CatalogLog.open(options.bootstrap());
    KafkaClusterView view = null;
    FlightFragmentTransport transport = null;
    String runtime = "aggregator-" + UUID.randomUUID();
    try {
      view = KafkaClusterView.open(options.bootstrap(), catalog);
      transport = new FlightFragmentTransport();
      ClusterRuntime.register(runtime, view, new TimedFragmentTransport(transport));
      String url = ClusterJdbc.url(runtime) + ";parserFactory="
          + ClusterDdlExecutor.class.getName() + "#PARSER_FACTORY";
      AggregatorNode node = start(options, security, view, url,
          List.of(new ClusterStatusHandler(view)), new SqlDocumentLookup(url), catalog);
      node.view = view;
      KafkaClusterView v = view;
      FlightFragmentTransport t = transport;
      node.owned.add(() -> ClusterRuntime.unregister(runtime));
      node.owned.add(t);
      node.owned.add(v);
      return node;
    } catch (RuntimeException | Error | InterruptedException e) {
      ClusterRuntime.unregister(runtime);
      if (transport != null) {
        transport.close();
      }
      if (view != null) {
        view.close();
      }
      catalog.close();
      throw e;
    }
  }

  /** The view this aggregator routes by (set when started by {@link #startOnKafka}). */
  public ClusterView view() {
    return view;
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
    return start(options, security, view, calciteUrl, handlers, lookup,
        CatalogLog.open(options.bootstrap()));
  }

  private static AggregatorNode start(AggregatorOptions options, ServerSecurity security,
      ClusterView view, String calciteUrl, List<Handler> handlers, DocumentLookup lookup,
      CatalogLog catalog) {
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
        for (AutoCloseable c : owned) {
          try {
            c.close();
          } catch (Exception e) {
            LoggerFactory.getLogger(AggregatorNode.class).warn("closing {}: {}", c, e.toString());
          }
        }
        catalog.close();
      }
    }
  }
}
