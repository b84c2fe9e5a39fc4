package io.converge.cluster.leaf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A leaf's id, stable across restarts: kept in {@code leaf.id} of its data directory, created on
 * first start as {@code leaf-<group>-<8 hex digits>}. It is also the consumer's
 * {@code group.instance.id}, so a restarted leaf gets its partitions back without a rebalance.
 */
final class LeafId {
  static final String FILE = "leaf.id";

  private LeafId() {}

  static String of(Path dataDir, String replicaGroup) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!id.isEmpty()) {
          return id;
        }
      }
      byte[] random = new byte[4];
      new SecureRandom().nextBytes(random);
      String id = "leaf-" + replicaGroup + "-" + HexFormat.of().formatHex(random);
      Files.createDirectories(dataDir);
      Path tmp = dataDir.resolve(FILE + ".tmp");
      Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file + ": " + e.getMessage(), e);
    }
  }
}
