package io.converge.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * A tiny HTTP server that serves {@code GET /metrics} and whatever few paths its process adds,
 * for processes without an HTTP port of their own (the cluster's leaves speak Arrow Flight). It
 * is the JDK's {@code com.sun.net.httpserver}: one thread, no authentication, bound to the
 * process's host.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private final HttpServer server;

  private MetricsHttpServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving on {@code host:port} (port 0 picks a free port).
   *
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static MetricsHttpServer start(String host, int port) {
    return start(host, port, Map.of());
  }

  /** As {@link #start(String, int)}, serving also {@code handlers} (path prefix to handler). */
  public static MetricsHttpServer start(String host, int port, Map<String, HttpHandler> handlers) {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 16);
      s.createContext(MetricsHandler.PATH, MetricsHttpServer::serve);
      handlers.forEach(s::createContext);
      s.setExecutor(null); // the server's own dispatcher thread: a scrape is quick
      s.start();
      return new MetricsHttpServer(s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": "
          + e.getMessage(), e);
    }
  }

  /** The port bound. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!exchange.getRequestURI().getPath().equals(MetricsHandler.PATH)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      ConvergeMetrics.Scrape scrape = ConvergeMetrics.scrape(
          exchange.getRequestHeaders().getFirst("Accept"));
      exchange.getResponseHeaders().set("Content-Type", scrape.contentType());
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, scrape.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(scrape.body());
      }
    }
  }

  /** Stops serving at once. */
  @Override
  public void close() {
    server.stop(0);
  }
}
