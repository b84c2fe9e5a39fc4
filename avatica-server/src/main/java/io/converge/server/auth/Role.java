package io.converge.server.auth;

import java.util.Locale;

/**
 * What a user may do. {@link #READER}: queries and the HTTP API's GET requests only.
 * {@link #WRITER}: also SQL writes and DDL, and the HTTP API's POST and DELETE. {@link #ADMIN}:
 * also the admin endpoints (backups).
 */
public enum Role {
  READER, WRITER, ADMIN;

  public boolean canWrite() {
    return this != READER;
  }

  public boolean canAdminister() {
    return this == ADMIN;
  }

  /** The name used in the users file and on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code reader}, {@code writer} or {@code admin}, case-insensitive. */
  public static Role parse(String text) {
    if (text != null) {
      for (Role r : values()) {
        if (r.label().equalsIgnoreCase(text.trim())) {
          return r;
        }
      }
    }
    throw new IllegalArgumentException("unknown role '" + text
        + "': expected reader, writer or admin");
  }
}
