package io.converge.storage.write;

/** Totals of a bulk load; {@code malformed} is set when a JSON array stopped at a syntax error. */
public record LoadResult(long loaded, long rejected, double seconds, String malformed) {
  public boolean complete() {
    return rejected == 0 && malformed == null;
  }

  public double docsPerSecond() {
    return seconds > 0 ? loaded / seconds : 0;
  }
}
