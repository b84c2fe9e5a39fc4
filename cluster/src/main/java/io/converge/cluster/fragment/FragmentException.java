package io.converge.cluster.fragment;

/** A fragment that could not be answered, with a kind the aggregator acts on. */
public final class FragmentException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong; {@link #UNAVAILABLE} and {@link #TIMEOUT} are worth a retry elsewhere. */
  public enum Kind {
    UNAVAILABLE, INVALID, TIMEOUT, CANCELLED, FAILED
  }

  private final Kind kind;

  public FragmentException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public FragmentException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
