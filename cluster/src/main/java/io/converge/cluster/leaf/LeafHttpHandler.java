package io.converge.cluster.leaf;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.converge.cluster.log.ClusterJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A leaf's own paths next to {@code GET /metrics} on its HTTP port: {@code GET /v1/leaf} answers
 * what the leaf announces (its id, group, shards and whether it drains) and
 * {@code POST /v1/leaf/drain} asks it to leave the cluster ({@link LeafNode#drain}): it answers
 * 202 at once and the process stops once every partition it held is served by other leaves.
 * {@code POST /v1/leaf/checkpoint {"to": "/absolute/new/dir"}} writes a checkpoint of its store
 * there ({@link LeafNode#checkpoint}; a cluster backup asks one replica of each partition).
 * Like the metrics, the port has no authentication: it belongs on the cluster's own network.
 */
final class LeafHttpHandler implements HttpHandler {
  static final String PATH = "/v1/leaf";
  static final String DRAIN = PATH + "/drain";
  static final String CHECKPOINT = PATH + "/checkpoint";
  private static final int MAX_BODY = 64 * 1024;

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
      } else if (path.equals(CHECKPOINT)) {
        if (!method.equals("POST")) {
          refuse(exchange, "POST");
          return;
        }
        checkpoint(exchange);
      } else {
        send(exchange, 404, ("{\"error\":\"no such path: " + path.replace("\"", "")
            + "\"}").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private void checkpoint(HttpExchange exchange) throws IOException {
    Path to;
    try {
      byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY);
      JsonNode json = ClusterJson.MAPPER.readTree(body);
      if (json == null || !json.path("to").isTextual()) {
        throw new IllegalArgumentException("expected {\"to\": \"/absolute/new/dir\"}");
      }
      to = Path.of(json.get("to").asText());
      if (!to.isAbsolute()) {
        throw new IllegalArgumentException("\"to\" must be an absolute path: " + to);
      }
      if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalArgumentException(to + " already exists; a checkpoint goes into a new "
            + "directory");
      }
    } catch (IOException | IllegalArgumentException e) {
      send(exchange, 400, error(e.getMessage()));
      return;
    }
    try {
      if (to.getParent() != null) {
        Files.createDirectories(to.getParent());
      }
      List<LeafNode.CheckpointedShard> shards = leaf.checkpoint(to);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("leaf", leaf.leafId());
      body.put("replicaGroup", leaf.options().replicaGroup());
      body.put("checkpoint", to.toString());
      body.put("shards", shards);
      send(exchange, 200, ClusterJson.encode(body));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      send(exchange, 503, error("interrupted"));
    } catch (RuntimeException e) {
      send(exchange, 500, error("checkpoint failed: " + e.getMessage()));
    }
  }

  private static byte[] error(String message) {
    return ClusterJson.encode(Map.of("error", String.valueOf(message)));
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
