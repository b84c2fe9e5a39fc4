package io.converge.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.server.admin.ServerFile;
import io.converge.storage.ConvergeStore;
import io.converge.storage.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code converge backup}: a RocksDB checkpoint of a data directory into a new directory, taken
 * by the server that serves the directory (found through its {@link ServerFile}) or, when no
 * server holds it, by opening the directory here.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Copy a data directory into a new directory as a consistent RocksDB "
        + "checkpoint, also while a server serves it (the server then takes the checkpoint; "
        + "reads and writes go on). Restore by serving the copy: "
        + "converge server --data-dir COPY.",
        "With --url instead of --data-dir, the server or cluster aggregator at that URL takes "
            + "it; an aggregator asks one serving replica of every partition for a checkpoint "
            + "(DIR2/<leaf id>) and writes DIR2/backup.json; a leaf started on a copy of one "
            + "resumes its partitions from there and the log.",
        "When the serving server has authentication on, pass --user NAME of an admin; the "
            + "password comes from $CONVERGE_PASSWORD, else the console, else the first line "
            + "of standard input."})
final class BackupCommand implements Callable<Integer> {
  static final String PASSWORD_ENV = "CONVERGE_PASSWORD";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Data directory to back up (served or not).")
  Path dataDir;

  @Option(names = "--url", paramLabel = "URL",
      description = "Instead of --data-dir: the base URL (http://HOST:PORT) of a running server "
          + "or cluster aggregator, which takes the backup (DIR2 is a path on its machine; a "
          + "cluster's leaves write their checkpoints under it on theirs).")
  String url;

  @Option(names = "--to", required = true, paramLabel = "DIR2",
      description = "Target directory; must not exist (its parent is created).")
  Path to;

  @Option(names = "--user", paramLabel = "NAME",
      description = "Admin user, when the serving server has authentication on.")
  String user;

  @Option(names = "--password-stdin",
      description = "Read the password from the first line of standard input.")
  boolean passwordStdin;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((dataDir == null) == (url == null)) {
      throw new IllegalArgumentException("give either --data-dir DIR (a data directory) or --url "
          + "http://HOST:PORT (a running server or cluster aggregator)");
    }
    if (url != null) {
      return backupThrough(out, err, to.toAbsolutePath().normalize());
    }
    Path dir = dataDir.toAbsolutePath().normalize();
    Path target = to.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + ": no such directory");
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("--to " + target + " already exists; a backup goes "
          + "into a new directory");
    }
    if (target.startsWith(dir) || dir.startsWith(target)) {
      throw new IllegalArgumentException("--to " + target + " overlaps the data directory "
          + dir);
    }
    long t0 = System.nanoTime();
    ServerFile server = ServerFile.read(dir);
    if (server != null) {
      String how = askServer(server, dir, target, err);
      if (how != null) {
        out.printf("Backup of %s written to %s by %s in %d ms.%n", dir, target, how,
            (System.nanoTime() - t0) / 1_000_000);
        printRestore(out, target);
        return ConvergeCli.OK;
      }
    }
    if (!Files.exists(dir.resolve("CURRENT"))) {
      throw new IllegalArgumentException(dir + " is not a Converge data directory (no RocksDB "
          + "CURRENT file)");
    }
    ConvergeStore store;
    try {
      store = ConvergeStore.open(dir);
    } catch (StoreException e) {
      if (e.getMessage() != null && e.getMessage().contains("in use")) {
        throw new StoreException(e.getMessage() + "; no running Converge server answers for it "
            + "(a server writes " + ServerFile.NAME + " into the directory when it starts), so "
            + "the backup cannot be taken while that process holds it", e);
      }
      throw e;
    }
    try (store) {
      Path parent = target.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      store.checkpoint(target);
    }
    out.printf("Backup of %s written to %s in %d ms (no server held the directory: opened it "
        + "directly).%n", dir, target, (System.nanoTime() - t0) / 1_000_000);
    printRestore(out, target);
    return ConvergeCli.OK;
  }

  /** {@code --url}: the server or aggregator there takes the backup. */
  private int backupThrough(PrintWriter out, PrintWriter err, Path target)
      throws IOException, InterruptedException {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/admin/backup"))
        .timeout(Duration.ofMinutes(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(
            Map.of("to", target.toString()))));
    if (user != null) {
      request.header("Authorization", basic(user, password(err)));
    }
    long t0 = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new IllegalStateException("nobody answers at " + base + ": " + e.getMessage(), e);
    }
    JsonNode body = null;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException notJson) {
      // reported below as it came
    }
    if (response.statusCode() != 200) {
      String message = body != null && body.hasNonNull("error") ? body.get("error").asText()
          : response.body();
      throw new IllegalStateException("the server at " + base + " refused the backup (HTTP "
          + response.statusCode() + (response.statusCode() == 401 ? ", pass --user NAME of an "
          + "admin" : "") + "): " + message);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (body != null && body.has("checkpoints")) {
      out.printf("Backup of the cluster at %s written to %s in %d ms: %d checkpoints holding "
          + "%d partitions (%s lists them).%n", base, target, ms, body.get("checkpoints").asInt(),
          body.path("partitions").asInt(), target.resolve("backup.json"));
      out.println("Restore: start a leaf on a copy of each checkpoint directory, e.g. "
          + "bin/converge leaf --kafka BOOTSTRAP --data-dir COPY --replica-group G; it resumes "
          + "each partition it is given from the offset in the checkpoint and the log.");
      out.flush();
    } else {
      out.printf("Backup written to %s by the server at %s in %d ms.%n", target, base, ms);
      printRestore(out, target);
    }
    return ConvergeCli.OK;
  }

  private static void printRestore(PrintWriter out, Path target) {
    out.println("Restore by serving the copy: bin/converge server --data-dir " + target);
    out.flush();
  }

  /**
   * Asks the server of the server file for the checkpoint. Returns a description of who took it,
   * or null when nobody listens there (a stale file: the caller opens the directory itself).
   */
  private String askServer(ServerFile server, Path dir, Path target, PrintWriter err)
      throws IOException, InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("to", target.toString());
    body.put("dataDir", dir.toString());
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create(server.url() + "/v1/admin/backup"))
        .timeout(Duration.ofMinutes(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (server.auth()) {
      if (user == null) {
        throw new IllegalArgumentException("the server at " + server.url() + " serving " + dir
            + " requires authentication: pass --user NAME of an admin (password from $"
            + PASSWORD_ENV + ", the console or standard input)");
      }
      request.header("Authorization", basic(user, password(err)));
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response;
    try {
      response = client.send(request.build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException | HttpConnectTimeoutException e) {
      err.println("converge backup: nobody answers at " + server.url() + " (a stale "
          + ServerFile.NAME + "): opening the directory directly");
      err.flush();
      return null;
    }
    if (response.statusCode() == 200) {
      return "the server at " + server.url();
    }
    String message = response.body();
    try {
      JsonNode n = JSON.readTree(response.body());
      if (n != null && n.hasNonNull("error")) {
        message = n.get("error").asText();
      }
    } catch (IOException notJson) {
      // keep the raw body
    }
    if (response.statusCode() == 409 && message.startsWith("this server serves")) {
      err.println("converge backup: the server at " + server.url() + " serves another directory"
          + " (a stale " + ServerFile.NAME + "): opening the directory directly");
      err.flush();
      return null;
    }
    throw new IllegalStateException("the server at " + server.url() + " refused the backup (HTTP "
        + response.statusCode() + "): " + message);
  }

  private char[] password(PrintWriter err) throws IOException {
    String env = System.getenv(PASSWORD_ENV);
    if (env != null && !env.isEmpty() && !passwordStdin) {
      return env.toCharArray();
    }
    if (System.console() != null && !passwordStdin) {
      char[] p = System.console().readPassword("Password of %s: ", user);
      if (p == null) {
        throw new IllegalArgumentException("no password given");
      }
      return p;
    }
    return UserCommand.readPassword(err, true);
  }

  static String basic(String user, char[] password) {
    byte[] bytes = (user + ":" + new String(password)).getBytes(StandardCharsets.UTF_8);
    try {
      return "Basic " + Base64.getEncoder().encodeToString(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
      Arrays.fill(password, '\0');
    }
  }
}
