package io.converge.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.server.auth.ConvergeUser;
import io.converge.server.http.JsonResponses;
import io.converge.storage.ConvergeStore;
import io.converge.storage.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, under {@code /v1/admin/}:
 *
 * <pre>
 * POST /v1/admin/backup   {"to": "/absolute/dir", "dataDir": "/served/dir" (optional)}
 *     -> 200 {"backup": dir, "dataDir": ..., "millis": n}
 * </pre>
 *
 * What a backup is comes from the {@link BackupTaker}: on a server, a RocksDB checkpoint of the
 * served store (hard links where the file system allows, copies otherwise), a consistent image of
 * every acknowledged write at one instant, taken while the server keeps serving reads and writes;
 * on a cluster's aggregator, checkpoints of the leaves. One backup runs at a time. The target must be an
 * absolute path that does not exist yet and is not inside the data directory (400 / 409
 * otherwise); its parent is created. When {@code dataDir} is given it must be the served
 * directory (409 otherwise: the caller found a stale server file).
 *
 * <p>With authentication on, {@code BasicAuthHandler} lets only admins reach this handler. With
 * authentication off (demo, embedded servers) only clients on the loopback address may use it.
 */
public final class AdminHandler extends AbstractHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
  static final String PREFIX = "/v1/admin";
  static final String BACKUP = PREFIX + "/backup";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;

  private final BackupTaker taker;
  /** The served data directory, or null when the process has none (an aggregator). */
  private final Path dataDir;
  private final boolean authenticated;
  private final ReentrantLock backupLock = new ReentrantLock();

  /** @param authenticated whether a BasicAuthHandler in front admits only admins */
  public AdminHandler(ConvergeStore store, Path dataDir, boolean authenticated) {
    this(BackupTaker.of(store, dataDir), authenticated);
  }

  /** @param authenticated whether a BasicAuthHandler in front admits only admins */
  public AdminHandler(BackupTaker taker, boolean authenticated) {
    this.taker = taker;
    this.dataDir = taker.dataDir();
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
    if (!authenticated && !isLoopback(request.getRemoteAddr())) {
      JsonResponses.sendError(response, 403,
          "the admin API of a server without authentication only serves clients on the loopback"
              + " address", Map.of());
      return;
    }
    if (!path.equals(BACKUP) && !path.equals(BACKUP + "/")) {
      JsonResponses.sendError(response, 404, "no such resource: " + path + " (the admin API serves "
          + "POST " + BACKUP + ")", Map.of());
      return;
    }
    if (!request.getMethod().equals("POST")) {
      response.setHeader("Allow", "POST");
      JsonResponses.sendError(response, 405, "method " + request.getMethod()
          + " is not allowed here; allowed: POST", Map.of());
      return;
    }
    Object user = base.getAttribute(ConvergeUser.class.getName());
    try {
      Path to = backupTarget(readBody(request));
      if (!backupLock.tryLock()) {
        JsonResponses.sendError(response, 409, "another backup is running", Map.of());
        return;
      }
      try {
        long t0 = System.nanoTime();
        Map<String, Object> taken = taker.take(to);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("backup of {} written to {} in {} ms{}", dataDir == null ? "the cluster"
            : dataDir, to, ms, user == null ? "" : " for " + user);
        Map<String, Object> ok = new LinkedHashMap<>();
        ok.put("backup", to.toString());
        ok.putAll(taken);
        ok.put("millis", ms);
        JsonResponses.send(response, 200, ok);
      } finally {
        backupLock.unlock();
      }
    } catch (Refusal r) {
      JsonResponses.sendError(response, r.status, r.getMessage(), Map.of());
    } catch (BackupTaker.BackupRefusedException r) {
      JsonResponses.sendError(response, r.status(), r.getMessage(), Map.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      JsonResponses.sendError(response, 503, "interrupted while taking the backup", Map.of());
    } catch (StoreException e) {
      LOG.error("backup failed", e);
      JsonResponses.sendError(response, 500, "backup failed: " + e.getMessage(), Map.of());
    } catch (IOException e) {
      JsonResponses.sendError(response, 500, "backup failed: " + e, Map.of());
    }
  }

  private Path backupTarget(JsonNode body) throws Refusal {
    if (body == null || !body.isObject() || !body.hasNonNull("to") || !body.get("to").isTextual()) {
      throw new Refusal(400, "expected a JSON object {\"to\": \"/absolute/target/dir\"}");
    }
    if (body.hasNonNull("dataDir") && dataDir != null) {
      Path expected;
      try {
        expected = Path.of(body.get("dataDir").asText()).toAbsolutePath().normalize();
      } catch (InvalidPathException e) {
        throw new Refusal(400, "bad dataDir: " + e.getMessage());
      }
      if (!expected.equals(dataDir)) {
        throw new Refusal(409, "this server serves " + dataDir + ", not " + expected);
      }
    }
    String text = body.get("to").asText();
    Path to;
    try {
      if (text.indexOf('\0') >= 0) {
        throw new InvalidPathException(text, "NUL character");
      }
      to = Path.of(text);
    } catch (InvalidPathException e) {
      throw new Refusal(400, "bad target path: " + e.getMessage());
    }
    if (!to.isAbsolute()) {
      throw new Refusal(400, "the target must be an absolute path, got '" + text + "'");
    }
    to = to.normalize();
    if (Files.exists(to, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new Refusal(409, "the target " + to + " already exists; a backup goes into a new "
          + "directory");
    }
    if (dataDir != null && (to.startsWith(dataDir) || dataDir.startsWith(to))) {
      throw new Refusal(400, "the target " + to + " overlaps the data directory " + dataDir);
    }
    return to;
  }

  private static JsonNode readBody(HttpServletRequest request) throws IOException, Refusal {
    try (InputStream in = request.getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new Refusal(413, "the request body is larger than " + MAX_BODY + " bytes");
      }
      try {
        return JSON.readTree(bytes);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new Refusal(400, "malformed JSON: " + e.getOriginalMessage());
      }
    }
  }

  private static boolean isLoopback(String address) {
    try {
      if (address == null) {
        return false;
      }
      String a = address.startsWith("[") && address.endsWith("]")
          ? address.substring(1, address.length() - 1) : address;
      return InetAddress.getByName(a).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static final class Refusal extends Exception {
    final int status;

    Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
