package io.converge.server.cli;

import io.converge.storage.write.LoadListener;
import java.io.PrintWriter;

/**
 * Reports a bulk load of one file: rejected lines as {@code FILE:LINE: reason} and, on a
 * terminal, a progress line (documents, docs/s, share of the file read) rewritten in place.
 */
final class LoadProgress implements LoadListener {
  private static final long REFRESH_NANOS = 200_000_000L;
  private static final int BAR_WIDTH = 24;

  private final PrintWriter err;
  private final String file;
  private final long fileBytes;
  private final boolean live;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;
  private boolean lineShown;

  /**
   * @param fileBytes size of the input in the units the loader reports as bytes read, or -1 when
   *     unknown (compressed input)
   * @param live whether to draw the in-place progress line (only on a terminal)
   */
  LoadProgress(PrintWriter err, String file, long fileBytes, boolean live) {
    this.err = err;
    this.file = file;
    this.fileBytes = fileBytes;
    this.live = live;
  }

  @Override
  public void progress(long loaded, long rejected, long bytesRead) {
    if (!live) {
      return;
    }
    long now = System.nanoTime();
    if (lineShown && now - lastDrawNanos < REFRESH_NANOS) {
      return;
    }
    lastDrawNanos = now;
    double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
    StringBuilder line = new StringBuilder("\r\033[K").append(file).append("  ");
    if (fileBytes > 0) {
      double share = Math.min(1.0, bytesRead / (double) fileBytes);
      int filled = (int) Math.round(share * BAR_WIDTH);
      line.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled))
          .append(String.format("] %3d%%  ", Math.round(share * 100)));
    }
    line.append(String.format("%,d docs  %,.0f docs/s", loaded, loaded / seconds));
    if (rejected > 0) {
      line.append(String.format("  %,d rejected", rejected));
    }
    err.print(line);
    err.flush();
    lineShown = true;
  }

  @Override
  public void rejected(String source, long line, String reason) {
    clearLine();
    err.println((source == null ? file : source) + ":" + line + ": " + reason);
  }

  /** Removes the progress line so the summary starts on a clean line. */
  void finish() {
    clearLine();
    err.flush();
  }

  private void clearLine() {
    if (lineShown) {
      err.print("\r\033[K");
      lineShown = false;
    }
  }
}
