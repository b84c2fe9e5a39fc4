package io.converge.server.cli;

import io.converge.server.auth.ServerSecurity;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a serving command authenticates its clients ({@code server}, {@code aggregator}): a users
 * file, or {@code --no-auth} said explicitly (a picocli mixin).
 */
public final class AuthOptions {
  @Option(names = "--users", paramLabel = "FILE",
      description = "Users file (name:hash:role lines, written by 'converge user add'): every "
          + "request needs HTTP BASIC credentials of one of them; readers may only query. "
          + "Required unless --no-auth.")
  Path users;

  @Option(names = "--no-auth",
      description = "Serve without authentication: everyone who reaches the port may read, "
          + "write and back up. Only for trusted networks and tests.")
  boolean noAuth;

  /** The users file given, or null. */
  public Path users() {
    return users;
  }

  /** Whether --no-auth was given. */
  public boolean noAuth() {
    return noAuth;
  }

  /** The authentication asked for: --users FILE, or --no-auth said explicitly. */
  public ServerSecurity security() throws IOException {
    if (users != null && noAuth) {
      throw new IllegalArgumentException("--users and --no-auth exclude each other");
    }
    if (users == null && !noAuth) {
      throw new IllegalArgumentException("authentication is required: pass --users FILE "
          + "(create it with 'bin/converge user add --users FILE NAME --role admin'), or "
          + "--no-auth to let everyone who reaches the port read and write");
    }
    return noAuth ? ServerSecurity.none() : ServerSecurity.users(users);
  }
}
