package io.converge.server.metrics;

import java.io.IOException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.AbstractHandler;

/**
 * {@code GET /metrics} on a server's HTTP port: the process's {@link ConvergeMetrics} in
 * Prometheus' text format (or OpenMetrics, by the {@code Accept} header). It sits behind the same
 * authentication as the rest of the port, so with {@code --users} a scraper sends the BASIC
 * credentials of any user (a read-only one is enough).
 */
public final class MetricsHandler extends AbstractHandler {
  public static final String PATH = "/metrics";

  @Override
  public void handle(String target, Request base, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    if (!PATH.equals(request.getRequestURI())) {
      return;
    }
    base.setHandled(true);
    if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
      response.setHeader("Allow", "GET");
      response.sendError(405);
      return;
    }
    ConvergeMetrics.Scrape scrape = ConvergeMetrics.scrape(request.getHeader("Accept"));
    response.setStatus(200);
    response.setContentType(scrape.contentType());
    response.setContentLength(scrape.body().length);
    if ("GET".equals(request.getMethod())) {
      response.getOutputStream().write(scrape.body());
    }
  }
}
