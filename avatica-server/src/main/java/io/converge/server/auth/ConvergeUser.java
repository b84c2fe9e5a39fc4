package io.converge.server.auth;

import java.security.Principal;

/** An authenticated user of one request. */
public record ConvergeUser(String name, Role role) implements Principal {
  @Override
  public String getName() {
    return name;
  }

  @Override
  public String toString() {
    return name + " (" + role.label() + ")";
  }
}
