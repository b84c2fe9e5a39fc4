package io.converge.storage.write;

/** Hears about a bulk load as it runs. */
public interface LoadListener {
  /** Called after each committed batch with running totals. */
  default void progress(long loaded, long rejected, long bytesRead) {}

  /**
   * A rejected input: {@code source} (file name), its line (NDJSON) or element number (JSON
   * array), and the reason.
   */
  default void rejected(String source, long line, String reason) {}
}
