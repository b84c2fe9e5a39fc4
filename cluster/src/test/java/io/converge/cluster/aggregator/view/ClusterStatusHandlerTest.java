package io.converge.cluster.aggregator.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.fragment.LeafEndpoint;
import io.converge.cluster.log.CatalogEntry;
import io.converge.server.cli.ConvergeCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code GET /v1/cluster} on a real Jetty, and {@code cluster status --url} reading it. */
class ClusterStatusHandlerTest {
  private Server jetty;
  private String url;

  @BeforeEach
  void serve() throws Exception {
    jetty = new Server(new InetSocketAddress("127.0.0.1", 0));
    jetty.setHandler(new ClusterStatusHandler(new FixedView()));
    jetty.start();
    url = "http://127.0.0.1:" + ((org.eclipse.jetty.server.ServerConnector)
        jetty.getConnectors()[0]).getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    jetty.stop();
  }

  @Test
  void answersTheViewsStatusAsJson() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url + "/v1/cluster")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertTrue(r.body().contains("\"id\":\"leaf-a\"") && r.body().contains("\"lag\":3"),
        r.body());
    HttpResponse<String> post = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url + "/v1/cluster"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  @Test
  void statusPrintsTheLeavesTheCollectionsAndEveryPartitionsReplicas() {
    StringWriter out = new StringWriter();
    CommandLine cl = ConvergeCli.commandLine();
    cl.setOut(new PrintWriter(out));
    assertEquals(ConvergeCli.OK, cl.execute("cluster", "status", "--url", url));
    String text = out.toString();
    assertTrue(text.contains("Leaves:") && text.contains("Collections:")
        && text.contains("Partitions:"), text);
    assertTrue(text.lines().anyMatch(l -> l.contains("leaf-a") && l.contains("g0")
        && l.contains("127.0.0.1:7001") && l.contains("9101") && l.contains("serving")
        && l.endsWith("1,200")), text);
    assertTrue(text.lines().anyMatch(l -> l.contains("leaf-b") && l.contains("DEAD")), text);
    assertTrue(text.lines().anyMatch(l -> l.matches("\\s*orders\\s+0\\s+10\\s+leaf-a\\s+g0\\s+yes"
        + "\\s+7\\s+3\\s+1,200\\s*")), text);
    assertTrue(text.lines().anyMatch(l -> l.matches("\\s*orders\\s+1\\s+4\\s+\\(none\\).*")),
        text);
    assertTrue(text.lines().anyMatch(l -> l.contains("orders") && l.contains("1,500")
        && l.endsWith("1")), text);
  }

  @Test
  void statusOfNoAggregatorFailsInOneLine() throws Exception {
    StringWriter err = new StringWriter();
    CommandLine cl = ConvergeCli.commandLine();
    cl.setErr(new PrintWriter(err));
    jetty.stop();
    assertEquals(ConvergeCli.FAILED, cl.execute("cluster", "status", "--url", url));
    assertTrue(err.toString().contains("no aggregator answers at " + url), err.toString());
  }

  /** A view with two leaves (one dead) and one collection whose partition 1 is not served. */
  private static final class FixedView implements ClusterView {
    @Override
    public Map<String, CatalogEntry> collections() {
      return Map.of("orders", new CatalogEntry("orders", 2, null, 0));
    }

    @Override
    public MergedSchema schema(String collection) {
      return new MergedSchema(1, 1500, List.of());
    }

    @Override
    public Object stamp() {
      return 1;
    }

    @Override
    public Map<LeafEndpoint, List<Integer>> route(String collection,
        Collection<Integer> partitions, String preferredGroup) {
      return Map.of();
    }

    @Override
    public Map<String, Object> status() {
      Map<String, Object> shard = new LinkedHashMap<>();
      shard.put("collection", "orders");
      shard.put("partition", 0);
      shard.put("assigned", true);
      shard.put("serving", true);
      shard.put("nextOffset", 7);
      shard.put("endOffset", 10);
      shard.put("lag", 3);
      shard.put("lagMillis", 1200);
      shard.put("documents", 1500);
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("id", "leaf-a");
      a.put("group", "g0");
      a.put("endpoint", "127.0.0.1:7001");
      a.put("metricsPort", 9101);
      a.put("pid", 11);
      a.put("alive", true);
      a.put("state", "serving");
      a.put("lag", 3);
      a.put("lagMillis", 1200);
      a.put("partitions", List.of(shard));
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("id", "leaf-b");
      b.put("group", "g0");
      b.put("endpoint", "127.0.0.1:7002");
      b.put("pid", 12);
      b.put("alive", false);
      b.put("lag", 0);
      b.put("partitions", List.of());
      Map<String, Object> orders = new LinkedHashMap<>();
      orders.put("name", "orders");
      orders.put("partitions", 2);
      orders.put("documents", 1500);
      orders.put("servingLeaves", List.of("leaf-a"));
      orders.put("unservedPartitions", List.of(1));
      Map<String, Object> replica = new LinkedHashMap<>();
      replica.put("leaf", "leaf-a");
      replica.put("group", "g0");
      replica.put("alive", true);
      replica.put("assigned", true);
      replica.put("serving", true);
      replica.put("nextOffset", 7);
      replica.put("lag", 3);
      replica.put("lagMillis", 1200);
      Map<String, Object> p0 = new LinkedHashMap<>();
      p0.put("collection", "orders");
      p0.put("partition", 0);
      p0.put("endOffset", 10);
      p0.put("replicas", List.of(replica));
      Map<String, Object> p1 = new LinkedHashMap<>();
      p1.put("collection", "orders");
      p1.put("partition", 1);
      p1.put("endOffset", 4);
      p1.put("replicas", List.of());
      return Map.of("leaves", List.of(a, b), "collections", List.of(orders),
          "partitions", List.of(p0, p1));
    }

    @Override
    public void close() {}
  }
}
