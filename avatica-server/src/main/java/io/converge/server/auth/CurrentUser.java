package io.converge.server.auth;

/**
 * The user of the request the current thread is serving. {@link BasicAuthHandler} sets it around
 * the handlers it wraps; Avatica's handlers run the request's service call on the same thread, so
 * {@link AuthorizingService} finds it there.
 */
public final class CurrentUser {
  private static final ThreadLocal<ConvergeUser> USER = new ThreadLocal<>();

  private CurrentUser() {}

  /** The user, or null when the thread is not serving an authenticated request. */
  public static ConvergeUser get() {
    return USER.get();
  }

  static void set(ConvergeUser user) {
    USER.set(user);
  }

  static void clear() {
    USER.remove();
  }
}
