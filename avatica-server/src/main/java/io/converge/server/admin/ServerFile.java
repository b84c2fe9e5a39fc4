package io.converge.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@value #NAME} in a served data directory: where the server that holds the directory listens,
 * so that commands which cannot open the directory themselves (RocksDB lets one process open it)
 * ask that server instead ({@code converge backup}). Written when the server starts, removed when
 * it stops; a server killed without stopping leaves it behind, and a command that finds nobody
 * listening there treats it as stale.
 *
 * @param url base URL of the server, for example {@code http://127.0.0.1:8765}
 * @param dataDir the directory the server serves (absolute)
 * @param auth whether the server wants HTTP BASIC credentials
 * @param pid the server's process id
 */
public record ServerFile(String url, String dataDir, boolean auth, long pid) {
  public static final String NAME = "converge-server.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static Path in(Path dataDir) {
    return dataDir.resolve(NAME);
  }

  /** Writes the file into {@code dataDir} (replacing any stale one). */
  public void write(Path dataDir) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("url", url);
    m.put("dataDir", this.dataDir);
    m.put("auth", auth);
    m.put("pid", pid);
    Path tmp = Files.createTempFile(dataDir, ".converge-server-", ".tmp");
    try {
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
      try {
        Files.move(tmp, in(dataDir), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, in(dataDir), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The file of {@code dataDir}, or null when there is none; IOException when unreadable. */
  public static ServerFile read(Path dataDir) throws IOException {
    Path f = in(dataDir);
    if (!Files.exists(f)) {
      return null;
    }
    JsonNode n = JSON.readTree(f.toFile());
    if (n == null || !n.hasNonNull("url")) {
      throw new IOException(f + " is not a Converge server file (no \"url\")");
    }
    return new ServerFile(n.get("url").asText(), n.path("dataDir").asText(""),
        n.path("auth").asBoolean(false), n.path("pid").asLong(-1));
  }

  /** Removes the file when it is still this server's (another may have replaced it). */
  public void removeFrom(Path dataDir) throws IOException {
    ServerFile current;
    try {
      current = read(dataDir);
    } catch (IOException e) {
      return;
    }
    if (this.equals(current)) {
      Files.deleteIfExists(in(dataDir));
    }
  }
}
