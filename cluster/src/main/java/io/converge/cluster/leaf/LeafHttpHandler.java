package io.converge.cluster.leaf;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.converge.cluster.log.ClusterJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A leaf's own paths next to {@code GET /metrics} on its HTTP port: {@code GET /v1/leaf} answers
 * what the leaf announces (its id, group, shards and whether it drains) and
 * {@code POST /v1/leaf/drain} asks it to leave the cluster ({@link LeafNode#drain}): it answers
 * 202 at once and the process stops once every partition it held is served by other leaves.
 * Like the metrics, the port has no authentication: it belongs on the cluster's own network.
 */
final class LeafHttpHandler implements HttpHandler {
  static final String PATH = "/v1/leaf";
  static final String DRAIN = PATH + "/drain";

  private final LeafNode leaf;

  LeafHttpHandler(LeafNode leaf) {
    this.leaf = leaf;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (path.equals(PATH)) {
        if (!method.equals("GET")) {
          refuse(exchange, "GET");
          return;
        }
        send(exchange, 200, ClusterJson.encode(leaf.announcement()));
      } else if (path.equals(DRAIN)) {
        if (!method.equals("POST")) {
          refuse(exchange, "POST");
          return;
        }
        leaf.drain();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("leaf", leaf.leafId());
        body.put("draining", true);
        body.put("message", "the leaf hands its partitions to the other leaves of its replica "
            + "group and stops once they serve them");
        send(exchange, 202, ClusterJson.encode(body));
      } else {
        send(exchange, 404, ("{\"error\":\"no such path: " + path.replace("\"", "")
            + "\"}").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static void refuse(HttpExchange exchange, String allowed) throws IOException {
    exchange.getResponseHeaders().set("Allow", allowed);
    send(exchange, 405, ("{\"error\":\"use " + allowed + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
