package io.converge.server;

import io.converge.server.http.DocumentService;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.server.Handler;

/**
 * What a {@link ConvergeServer} serves: the Calcite schema its SQL connections open, the HTTP
 * API's documents and any handlers of its own. {@link LocalStoreBackend} is one data directory
 * (the one-process server); the cluster's aggregator serves its collections through Kafka.
 * The server closes its backend when it stops.
 */
public interface ServerBackend extends AutoCloseable {
  /** The Calcite JDBC URL that Avatica's meta opens one connection of per client connection. */
  String calciteUrl();

  /** Changes whenever a cached plan may be stale (collections or their schemas changed). */
  Object catalogStamp();

  /** The HTTP API's documents ({@code /v1/collections/...}). */
  DocumentService documents();

  /**
   * Handlers served before the HTTP API on the same port and behind the same authentication
   * (the admin API, {@code /v1/cluster}): each marks its own requests handled.
   *
   * @param authenticated whether the server authenticates its clients
   */
  List<Handler> handlers(boolean authenticated);

  /**
   * The data directory to advertise the server's URL in ({@code converge backup}), or null when
   * the backend has none.
   */
  Path dataDirectory();

  /** The role the server plays, the {@code role} tag of its query metrics. */
  /**
   * Whether plain queries that differ only in their compared literals share a plan (see
   * {@link QueryShape}). True unless the backend's plans would lose pushdown with parameters.
   */
  default boolean sharesPlansAcrossLiterals() {
    return true;
  }

  default String role() {
    return "server";
  }

  /** A short description for the log, such as the data directory or the Kafka bootstrap. */
  String describe();

  /** Releases what the backend holds once the server stopped; idempotent. */
  @Override
  void close();
}
