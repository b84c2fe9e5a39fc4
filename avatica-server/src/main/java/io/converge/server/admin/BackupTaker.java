package io.converge.server.admin;

import io.converge.storage.ConvergeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What takes a backup for the admin API ({@link AdminHandler}): a one-process server checkpoints
 * its store ({@link #of(ConvergeStore, Path)}); a cluster's aggregator asks its leaves.
 */
public interface BackupTaker {
  /** The data directory a request's {@code dataDir} must name; null when the process has none. */
  Path dataDir();

  /**
   * Takes the backup into {@code to}: absolute, normalized, not existing yet, and not overlapping
   * {@link #dataDir()}.
   *
   * @return what the answer says besides the target and the time taken
   * @throws BackupRefusedException with the HTTP status and one-line reason of a refusal
   */
  Map<String, Object> take(Path to)
      throws BackupRefusedException, IOException, InterruptedException;

  /** A checkpoint of {@code store}, served from {@code dataDir}. */
  static BackupTaker of(ConvergeStore store, Path dataDir) {
    Path dir = dataDir.toAbsolutePath().normalize();
    return new BackupTaker() {
      @Override
      public Path dataDir() {
        return dir;
      }

      @Override
      public Map<String, Object> take(Path to) throws IOException {
        Path parent = to.getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        store.checkpoint(to);
        return Map.of("dataDir", dir.toString());
      }
    };
  }

  /** A backup refused or failed, with its HTTP status and a one-line reason. */
  final class BackupRefusedException extends Exception {
    private final int status;

    public BackupRefusedException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
