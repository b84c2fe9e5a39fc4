package io.converge.cluster.aggregator.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.log.ClusterJson;
import io.converge.server.http.JsonResponses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's admin API, the same request as a one-process server's:
 * {@code POST /v1/admin/backup {"to": "/absolute/new/dir"}} takes a {@link ClusterBackup} and
 * answers {@code 200 {"backup": dir, "checkpoints": n, "partitions": n, "millis": n}}. With
 * authentication on, only admins reach it (the server's authentication handler); without, only
 * clients on the loopback address. One backup runs at a time (409 otherwise).
 */
public final class ClusterBackupHandler extends AbstractHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterBackupHandler.class);
  static final String PREFIX = "/v1/admin";
  static final String BACKUP = PREFIX + "/backup";
  private static final int MAX_BODY = 64 * 1024;

  private final ClusterView view;
  private final boolean authenticated;
  private final ReentrantLock lock = new ReentrantLock();

  public ClusterBackupHandler(ClusterView view, boolean authenticated) {
    this.view = view;
    this.authenticated = authenticated;
  }

  @Override
  public void handle(String target, Request base, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    String path = request.getRequestURI();
    if (path == null || !(path.equals(PREFIX) || path.startsWith(PREFIX + "/"))) {
      return;
    }
    base.setHandled(true);
    if (!authenticated && !loopback(request.getRemoteAddr())) {
      JsonResponses.sendError(response, 403, "the admin API of an aggregator without "
          + "authentication only serves clients on the loopback address", Map.of());
      return;
    }
    if (!path.equals(BACKUP) && !path.equals(BACKUP + "/")) {
      JsonResponses.sendError(response, 404, "no such resource: " + path + " (the admin API "
          + "serves POST " + BACKUP + ")", Map.of());
      return;
    }
    if (!request.getMethod().equals("POST")) {
      response.setHeader("Allow", "POST");
      JsonResponses.sendError(response, 405, "method " + request.getMethod()
          + " is not allowed here; allowed: POST", Map.of());
      return;
    }
    Path to;
    try {
      JsonNode body = ClusterJson.MAPPER.readTree(request.getInputStream().readNBytes(MAX_BODY));
      if (body == null || !body.path("to").isTextual()) {
        throw new IllegalArgumentException("expected a JSON object {\"to\": "
            + "\"/absolute/target/dir\"}");
      }
      to = Path.of(body.get("to").asText());
      if (!to.isAbsolute()) {
        throw new IllegalArgumentException("\"to\" must be an absolute path, got " + to);
      }
    } catch (IOException | IllegalArgumentException e) {
      JsonResponses.sendError(response, 400, e.getMessage(), Map.of());
      return;
    }
    to = to.normalize();
    if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      JsonResponses.sendError(response, 409, to + " already exists; a backup goes into a new "
          + "directory", Map.of());
      return;
    }
    if (!lock.tryLock()) {
      JsonResponses.sendError(response, 409, "another backup is running", Map.of());
      return;
    }
    try {
      long t0 = System.nanoTime();
      Map<String, Object> manifest = ClusterBackup.take(view, to);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      LOG.info("backup of the cluster written to {} in {} ms", to, ms);
      Map<String, Object> ok = new LinkedHashMap<>();
      ok.put("backup", to.toString());
      ok.put("checkpoints", ((List<?>) manifest.get("checkpoints")).size());
      ok.put("partitions", ((List<?>) manifest.get("partitions")).size());
      ok.put("millis", ms);
      JsonResponses.send(response, 200, ok);
    } catch (ClusterBackup.BackupException e) {
      JsonResponses.sendError(response, e.status(), e.getMessage(), Map.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      JsonResponses.sendError(response, 503, "interrupted while taking the backup", Map.of());
    } catch (IOException e) {
      JsonResponses.sendError(response, 500, "backup failed: " + e, Map.of());
    } finally {
      lock.unlock();
    }
  }

  private static boolean loopback(String address) {
    try {
      return address != null && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
