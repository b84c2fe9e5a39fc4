package io.converge.cluster.aggregator.view;

import io.converge.cluster.aggregator.ClusterView;
import io.converge.server.http.JsonResponses;
import java.io.IOException;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.AbstractHandler;

/**
 * {@code GET /v1/cluster}: the cluster as the aggregator sees it ({@link ClusterView#status()}):
 * every leaf with its replica group, endpoint, liveness and shards (assigned, serving, applied
 * offset, end offset, lag, documents), and every collection with its partitions and the leaves
 * serving them. Read-only, so any authenticated user may ask.
 */
public final class ClusterStatusHandler extends AbstractHandler {
  public static final String PATH = "/v1/cluster";

  private final ClusterView view;

  public ClusterStatusHandler(ClusterView view) {
    this.view = view;
  }

  @Override
  public void handle(String target, Request base, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    String path = request.getRequestURI();
    if (path == null || !(path.equals(PATH) || path.equals(PATH + "/"))) {
      return;
    }
    base.setHandled(true);
    if (!"GET".equals(request.getMethod())) {
      response.setHeader("Allow", "GET");
      JsonResponses.sendError(response, 405, "only GET " + PATH + " is served", Map.of());
      return;
    }
    JsonResponses.send(response, 200, view.status());
  }
}
