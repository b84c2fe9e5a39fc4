package io.converge.tests;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.auth.ServerSecurity;
import java.nio.file.Path;

/**
 * The one place that builds {@link ServerOptions}: loopback, a free port, and authentication
 * explicitly off (AuthTest starts its own servers with a users file).
 */
public final class Servers {
  private Servers() {}

  public static ConvergeServer start(Path dataDir) {
    return start(dataDir, "protobuf");
  }

  public static ConvergeServer start(Path dataDir, String serialization) {
    ServerOptions options = ServerOptions.of(dataDir).withHost("127.0.0.1").withPort(0)
        .withSerialization(serialization);
    return ConvergeServer.start(options, ServerSecurity.none());
  }
}
