package io.converge.server.auth;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How a server authenticates its clients: {@link #none()} (demo, embedded servers and tests:
 * anyone who reaches the port may read and write) or {@link #users(Path)} (HTTP BASIC against a
 * users file, read-only users limited to queries).
 */
public final class ServerSecurity {
  private final UserDirectory users;

  private ServerSecurity(UserDirectory users) {
    this.users = users;
  }

  /** No authentication. */
  public static ServerSecurity none() {
    return new ServerSecurity(null);
  }

  /** HTTP BASIC against {@code usersFile}; IOException when it is missing, malformed or empty. */
  public static ServerSecurity users(Path usersFile) throws IOException {
    return new ServerSecurity(UserDirectory.load(usersFile));
  }

  /**
   * Like {@link #users(Path)}, with {@code maxFailures} failed logins per remote address within
   * {@code windowMillis} before that address gets 429 (defaults: 10 per minute).
   */
  public static ServerSecurity users(Path usersFile, int maxFailures, long windowMillis)
      throws IOException {
    return new ServerSecurity(UserDirectory.load(usersFile, maxFailures, windowMillis));
  }

  public boolean enabled() {
    return users != null;
  }

  /** The users, or null when authentication is off. */
  public UserDirectory users() {
    return users;
  }

  @Override
  public String toString() {
    return users == null ? "no authentication"
        : "HTTP BASIC, " + users.size() + " user(s) from " + users.file();
  }
}
